import { buttonStyles } from "./button";
import { seenField, versionField } from "@/lib/web/edit-version";

/** The hidden fields of a conditional edit (lib/web/edit-version.ts). */
export function VersionFields({ version, seen }: { version: string; seen: unknown }) {
  return (
    <>
      <input type="hidden" name={versionField} value={version} />
      <input type="hidden" name={seenField} value={JSON.stringify(seen)} />
    </>
  );
}

/**
 * What a refused conditional edit says: what changed meanwhile, and the two ways on. Inside the
 * form, so "Overwrite" saves the form as it is, now conditional on the version stored.
 */
export function ConflictNotice({
  title,
  changed,
  reloadHref,
}: {
  title: string;
  changed: string[];
  reloadHref?: string;
}) {
  return (
    <>
      <h2 id="form-problems-title" className="font-semibold">
        {title}
      </h2>
      <p className="mt-1">
        Changed meanwhile: {changed.join(", ")}. Nothing was saved; your changes are still in the form below.
      </p>
      <div className="mt-3 flex flex-col gap-2 sm:flex-row">
        {/* A full page load, so the form starts again from what is stored now. */}
        <a href={reloadHref} className={buttonStyles.secondary}>
          Reload the current version
        </a>
        <button type="submit" className={buttonStyles.primary}>
          Overwrite with my changes
        </button>
      </div>
    </>
  );
}
