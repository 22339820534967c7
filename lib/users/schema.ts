/** What a user account may contain; shared by the CLI, the admin forms and sign-up of the first admin. */
import { z } from "zod";
import { passwordRules } from "../auth/password.ts";

export const emailSchema = z.preprocess(
  (value) => (typeof value === "string" ? value.trim().toLowerCase() : value),
  z.email({ error: "Enter a valid email address" }).max(254, "Must be at most 254 characters"),
);

export const passwordSchema = z
  .string({ error: "is required" })
  .min(passwordRules.minLength, `Must be at least ${passwordRules.minLength} characters`)
  .max(passwordRules.maxLength, `Must be at most ${passwordRules.maxLength} characters`);

export const userInputSchema = z.object({
  email: emailSchema,
  password: passwordSchema,
  name: z.preprocess((value) => (typeof value === "string" ? value.trim() : value ?? ""), z.string().max(100, "Must be at most 100 characters")),
  admin: z.boolean().default(false),
});

export type UserInput = z.output<typeof userInputSchema>;
