/** How the application form lays out a field: plain data, shared by the server and the browser. */

export type FormSection = "application" | "redirects" | "security" | "branding" | "custom";

export const formSections: Record<FormSection, string> = {
  application: "Application",
  redirects: "Redirects and origins",
  security: "Security",
  branding: "Consent screen branding (optional)",
  custom: "More settings",
};

export interface Option {
  value: string;
  label: string;
  help?: string;
}

export type FormControl =
  | {
      kind: "text";
      /** "duration": seconds, entered and shown in words ("30 days"; durations.ts). */
      type?: "text" | "url" | "number" | "email" | "duration";
      required?: boolean;
      placeholder?: string;
      /** Laid out two to a row on wide screens. */
      half?: boolean;
    }
  /** One entry per line. */
  | { kind: "lines"; placeholder?: string }
  /** Free text over several lines. */
  | { kind: "longText" }
  | { kind: "checkbox" }
  | { kind: "choice"; style: "radio" | "select"; options: readonly Option[] }
  /** Several of: the grant types, the scope catalogue, or fixed options. */
  | { kind: "choices"; options: "grantTypes" | "scopes" | readonly Option[] };

/** What the form knows about the server when it renders help texts. */
export interface FormContext {
  lifetimes: { accessToken: number; refreshToken: number };
}
