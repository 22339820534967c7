/**
 * The extensions in force: portcullis.config.ts at the root (bundled with the build), unless the
 * process was started with another file (PORTCULLIS_CONFIG, loaded by lib/extensions/load.ts
 * before anything is served). Kept on globalThis: Next's bundles and the server's own modules are
 * separate copies of this module, and must all see the one the process loaded.
 */
import rootConfig from "../../portcullis.config.ts";
import type { PortcullisConfig } from "./define.ts";
import { checkedConfig } from "./check.ts";

const holder = globalThis as typeof globalThis & { portcullisExtensions?: PortcullisConfig };

export function extensions(): PortcullisConfig {
  return (holder.portcullisExtensions ??= checkedConfig(rootConfig as PortcullisConfig));
}

/** Makes `config` the one in force (at start-up, before anything reads it; and in tests). */
export function useExtensions(config: PortcullisConfig): PortcullisConfig {
  holder.portcullisExtensions = checkedConfig(config);
  return holder.portcullisExtensions;
}
