/** What a user account may contain; shared by the CLI, the admin forms and sign-up of the first admin. */
import { z } from "zod";
import { passwordRules } from "../auth/password.ts";
import { hasControlCharacters } from "../control-characters.ts";

const emailSchema = z.preprocess(
  (value) => (typeof value === "string" ? value.trim().toLowerCase() : value),
  z.email({ error: "Enter a valid email address" }).max(254, "Must be at most 254 characters"),
);

export const passwordSchema = z
  .string({ error: "is required" })
  .min(passwordRules.minLength, `Must be at least ${passwordRules.minLength} characters`)
  .max(passwordRules.maxLength, `Must be at most ${passwordRules.maxLength} characters`);

const nameSchema = z.preprocess(
  (value) => (typeof value === "string" ? value.trim() : (value ?? "")),
  z
    .string()
    .max(100, "Must be at most 100 characters")
    .refine((name) => !hasControlCharacters(name), "Must not contain control characters (tabs, line breaks, NUL)"),
);

export const userInputSchema = z.object({
  email: emailSchema,
  password: passwordSchema,
  name: nameSchema,
  admin: z.boolean().default(false),
});

/** An admin editing a user's profile. */
export const profileSchema = z.object({ email: emailSchema, name: nameSchema });

/** A new password typed twice: an admin setting one, or a user through a reset link. */
export const newPasswordSchema = z
  .object({ password: passwordSchema, confirmPassword: z.string({ error: "Enter the new password again" }) })
  .refine((value) => value.confirmPassword === value.password, {
    path: ["confirmPassword"],
    message: "Doesn't match the new password",
  });

/** A zod error as messages by field ("form" for what belongs to no field). */
export function fieldErrorsOf<Field extends string>(error: z.ZodError): Partial<Record<Field | "form", string[]>> {
  const errors: Partial<Record<Field | "form", string[]>> = {};
  for (const issue of error.issues) {
    const field = (issue.path[0] as Field | undefined) ?? "form";
    (errors[field] ??= []).push(issue.message);
  }
  return errors;
}

/** A signed-in user changing their own password (account page). */
export const passwordChangeSchema = z
  .object({
    currentPassword: z
      .string({ error: "Enter your current password" })
      .min(1, "Enter your current password")
      .max(1024, "Must be at most 1024 characters"),
    newPassword: passwordSchema,
    confirmPassword: z.string({ error: "Enter the new password again" }),
  })
  .superRefine((value, context) => {
    if (value.confirmPassword !== value.newPassword) {
      context.addIssue({ code: "custom", path: ["confirmPassword"], message: "Doesn't match the new password" });
    }
    if (value.currentPassword !== "" && value.newPassword === value.currentPassword) {
      context.addIssue({
        code: "custom",
        path: ["newPassword"],
        message: "Choose a password different from your current one",
      });
    }
  });
