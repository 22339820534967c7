import type { Instrumentation } from "next";
import { noteIfDatabaseUnavailable } from "./lib/server/outage-scope";

/** An error no page caught: if it was the database, server.ts answers 503 rather than 500. */
export const onRequestError: Instrumentation.onRequestError = (error) => {
  noteIfDatabaseUnavailable(error);
};
