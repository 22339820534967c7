/** Scopes in plain words, each with a check mark: on the consent screen and under Connected apps. */
export function ScopeList({
  scopes,
  className,
  testId,
}: {
  scopes: { name: string; description: string }[];
  className: string;
  testId: string;
}) {
  return (
    <ul className={className} data-testid={testId}>
      {scopes.map((scope) => (
        <li key={scope.name} className="flex gap-2 text-sm text-slate-800">
          <span aria-hidden="true" className="text-emerald-700">
            ✓
          </span>
          <span>{scope.description}</span>
        </li>
      ))}
    </ul>
  );
}
