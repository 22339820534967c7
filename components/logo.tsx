/** The Portcullis mark: a gate's grille. Decorative; the word beside it names the product. */
export function Logo({ className = "size-6" }: { className?: string }) {
  return (
    <svg viewBox="0 0 24 24" aria-hidden="true" className={className} fill="none" stroke="currentColor" strokeWidth="2">
      <path d="M4 21V8a8 8 0 0 1 16 0v13" />
      <path d="M8 5.5V21M12 4v17M16 5.5V21M4 11h16M4 16h16" />
    </svg>
  );
}
