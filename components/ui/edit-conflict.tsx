import { buttonStyles } from "./button";
import { seenField, versionField } from "@/lib/web/version-fields";

/** The hidden fields of a conditional edit form: the version it was drawn from and what it showed. */
export function VersionFields({ version, seen }: { version: string; seen: unknown }) {
  return (
    <>
      <input type="hidden" name={versionField} value={version} />
      <input type="hidden" name={seenField} value={JSON.stringify(seen)} />
    </>
  );
}

/**
 * Said when a conditional save was refused because the record changed after the form was drawn:
 * what changed, and the two ways on: reload what is stored, or submit the form again (the form
 * now carries the current version, so that save overwrites knowingly). Placed inside the form.
 */
export function EditConflict({
  subject,
  changed,
  reloadHref,
  summaryRef,
}: {
  /** "This application", "This user". */
  subject: string;
  /** The labels of the fields that changed meanwhile. */
  changed: string[];
  reloadHref?: string;
  summaryRef?: React.RefObject<HTMLDivElement | null>;
}) {
  return (
    <div
      ref={summaryRef}
      tabIndex={-1}
      aria-labelledby="form-problems-title"
      data-testid="edit-conflict"
      className="rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-950 focus:outline-2 focus:outline-offset-2"
    >
      <h2 id="form-problems-title" className="font-semibold">
        {subject} changed after you opened this page
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
    </div>
  );
}
