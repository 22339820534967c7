/**
 * Request parameters, parsed once at the edge. RFC 6749 §3.1: parameters "MUST NOT be included more
 * than once", and parameters sent without a value are treated as omitted.
 */
import { OAuthError } from "./errors.ts";

export type Params = ReadonlyMap<string, string>;

/** Parses application/x-www-form-urlencoded text (or a query string) with the WHATWG parser. */
export function parseParams(source: string | URLSearchParams): Params {
  const search = typeof source === "string" ? new URLSearchParams(source) : source;
  const params = new Map<string, string>();
  const repeated = new Set<string>();
  for (const [name, value] of search) {
    // No protocol value contains NUL, and PostgreSQL cannot store one in text.
    if (name.includes("\u0000") || value.includes("\u0000")) {
      throw new OAuthError("invalid_request", "Parameters must not contain NUL characters");
    }
    if (params.has(name)) repeated.add(name);
    if (value !== "") params.set(name, value);
  }
  for (const name of repeated) {
    // An empty repetition is still a repetition: which one did the client mean?
    throw new OAuthError("invalid_request", `The ${name} parameter was sent more than once`);
  }
  return params;
}

/** Parameter values longer than this are refused: no legitimate value comes close. */
const maxParameterLength = 4096;

export function optional(params: Params, name: string): string | undefined {
  const value = params.get(name);
  if (value !== undefined && value.length > maxParameterLength) {
    throw new OAuthError("invalid_request", `The ${name} parameter is too long`);
  }
  return value;
}

export function required(params: Params, name: string): string {
  const value = optional(params, name);
  if (value === undefined) throw new OAuthError("invalid_request", `The ${name} parameter is required`);
  return value;
}
