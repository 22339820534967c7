import { Badge } from "@/components/ui/badge";

/**
 * Scopes in plain words, each with a check mark: on the consent screen and under Connected apps.
 * On the consent screen a scope the user has not granted this app before is marked "New".
 */
export function ScopeList({
  scopes,
  className,
  testId,
}: {
  scopes: { name: string; description: string; isNew?: boolean }[];
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
          <span>
            {scope.description}
            {scope.isNew ? (
              <>
                {" "}
                <span data-testid="new-scope">
                  <Badge tone="amber">
                    New<span className="sr-only">: you have not allowed this before</span>
                  </Badge>
                </span>
              </>
            ) : null}
          </span>
        </li>
      ))}
    </ul>
  );
}
