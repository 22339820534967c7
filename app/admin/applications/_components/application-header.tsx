import { Badge } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/page-header";
import type { Application } from "@/lib/applications/model";
import { DeleteApplicationButton } from "./application-actions";
import { ApplicationTabs, type ApplicationTab } from "./application-tabs";

/** The heading, actions and section tabs every page of one application shares. */
export function ApplicationHeader({ app, tab }: { app: Application; tab: ApplicationTab }) {
  return (
    <>
      <PageHeader
        title={app.name}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <Badge tone={app.clientType === "public" ? "amber" : "indigo"}>{app.clientType}</Badge>
            {app.skipAuthorization ? <Badge tone="green">trusted</Badge> : null}
            <span>Created {app.createdAt.toISOString().slice(0, 10)}</span>
          </span>
        }
        actions={
          <>
            <ButtonLink variant="secondary" href={`/admin/applications/${app.id}/edit`}>
              Edit
            </ButtonLink>
            <DeleteApplicationButton id={app.id} name={app.name} />
          </>
        }
      />
      <ApplicationTabs id={app.id} active={tab} />
    </>
  );
}
