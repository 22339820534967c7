/** Refuses a config that could not work, at start-up, with a message that names the problem. */
import type { CustomFieldDeclaration, PortcullisConfig } from "./define.ts";

const fieldKey = /^[a-zA-Z][a-zA-Z0-9_]{0,39}$/;
const hookNames = new Set(["allowsGrantType", "skipAuthorization", "mayAuthorize", "validateApplication", "claims"]);
const fieldTypes = new Set(["text", "longText", "boolean", "number", "url", "email", "oneOf", "manyOf"]);

class ConfigError extends Error {}

function checkField(key: string, field: CustomFieldDeclaration): void {
  const where = `portcullis.config.ts: applicationFields.${key}`;
  if (!fieldKey.test(key)) throw new ConfigError(`${where}: a key is a letter, then letters, digits or _ (at most 40)`);
  if (!fieldTypes.has(field.type)) throw new ConfigError(`${where}: unknown type ${String(field.type)}`);
  if (typeof field.label !== "string" || field.label.trim() === "") throw new ConfigError(`${where}: needs a label`);
  if (field.type === "oneOf" || field.type === "manyOf") {
    if (!Array.isArray(field.options) || field.options.length === 0) {
      throw new ConfigError(`${where}: a ${field.type} field needs options`);
    }
  }
}

export function checkedConfig(config: PortcullisConfig): PortcullisConfig {
  for (const [key, field] of Object.entries(config.applicationFields ?? {})) checkField(key, field);
  for (const [name, hook] of Object.entries(config.hooks ?? {})) {
    if (!hookNames.has(name)) {
      throw new ConfigError(`portcullis.config.ts: hooks.${name} is not a hook (${[...hookNames].join(", ")})`);
    }
    if (typeof hook !== "function") throw new ConfigError(`portcullis.config.ts: hooks.${name} must be a function`);
  }
  return config;
}
