import { Disclosure } from "@/components/ui/disclosure";
import type { Metadata } from "next";
import { AdminOnly } from "@/components/shell/app-shell";
import { PageHeader } from "@/components/ui/card";
import { Lozenge } from "@/components/ui/lozenge";
import { Table, Td, Th } from "@/components/ui/table";
import { CreateUserForm } from "@/components/users/create-user-form";
import { UserActions } from "@/components/users/user-actions";
import { requirePageCaller } from "@/lib/api/server-caller";
import { db } from "@/lib/db";
import { listUsers } from "@/lib/users/find-user";
import { createUserAction, resetPasswordAction, setUserDisabledAction, setUserRoleAction } from "./actions";

export const metadata: Metadata = { title: "Users" };

export default async function UsersPage() {
  const caller = await requirePageCaller("/users");
  if (caller.role !== "ADMIN") return <AdminOnly />;
  const users = await listUsers(db);
  // The last active administrator cannot be disabled or demoted: no button offers it.
  const activeAdmins = users.filter((u) => u.role === "ADMIN" && !u.disabled).length;
  return (
    <>
      <PageHeader title="Users" description="People who sign in. Administrators manage links, users and settings; users use links and their own API tokens." />
      <Disclosure className="mb-6 rounded-lg border border-border bg-surface p-4 shadow-sm" triggerClassName="text-base font-semibold" label="Create a user…">
        <div className="mt-4">
          <CreateUserForm action={createUserAction} />
        </div>
      </Disclosure>
      <Table aria-label="Users">
        <thead>
          <tr>
            <Th>Username</Th>
            <Th>Name and email</Th>
            <Th>Role</Th>
            <Th>Status</Th>
            <Th>Actions</Th>
          </tr>
        </thead>
        <tbody>
          {users.map((user) => (
            <tr key={user.id} data-testid={`user-row-${user.username}`}>
              <Td className="font-mono">{user.username}</Td>
              <Td>
                <div>{user.displayName}</div>
                <div className="text-xs text-muted">{user.email}</div>
              </Td>
              <Td>{user.role === "ADMIN" ? <Lozenge tone="info">Admin</Lozenge> : <Lozenge>User</Lozenge>}</Td>
              <Td>{user.disabled ? <Lozenge tone="danger">Disabled</Lozenge> : <Lozenge tone="success">Active</Lozenge>}</Td>
              <Td>
                <UserActions
                  user={user}
                  isSelf={user.id === caller.id}
                  lastAdmin={activeAdmins === 1 && user.role === "ADMIN" && !user.disabled}
                  setDisabled={setUserDisabledAction}
                  setRole={setUserRoleAction}
                  resetPassword={resetPasswordAction}
                />
              </Td>
            </tr>
          ))}
        </tbody>
      </Table>
    </>
  );
}
