import { Badge } from "@/components/ui/badge";

export function RoleBadge({ role }: { role: "ADMIN" | "USER" }) {
  return role === "ADMIN" ? <Badge tone="indigo">Admin</Badge> : <Badge>User</Badge>;
}

export function StatusBadge({ disabled }: { disabled: boolean }) {
  return disabled ? <Badge tone="amber">Disabled</Badge> : <Badge tone="green">Active</Badge>;
}
