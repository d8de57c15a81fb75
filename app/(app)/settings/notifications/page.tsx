import type { Metadata } from "next";
import Link from "next/link";
import { AdminOnly } from "@/components/shell/app-shell";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { Disclosure } from "@/components/ui/disclosure";
import { Lozenge } from "@/components/ui/lozenge";
import { Table, Td, Th } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { ChannelActions, ChannelForm, SmtpForm } from "@/components/notifications/notification-forms";
import { requirePageCaller } from "@/lib/api/server-caller";
import { db } from "@/lib/db";
import { EVENT_LABEL, NOTIFICATION_EVENTS } from "@/lib/outbox/events";
import { channelAttempts, listChannels } from "@/lib/notifications/channels";
import { expiryDays, flapMinutes, recentEvents } from "@/lib/notifications/dispatch";
import { smtpSettings } from "@/lib/notifications/smtp";
import { configuredBaseUrl } from "@/lib/http/public-url";
import { createChannelAction, deleteChannelAction, rotateChannelSecretAction, saveSmtpAction, setChannelEnabledAction, testChannelAction, updateChannelAction } from "./actions";

export const metadata: Metadata = { title: "Notifications" };

const EVENTS = NOTIFICATION_EVENTS.map((name) => ({ name, label: EVENT_LABEL[name] }));

export default async function NotificationsPage() {
  const caller = await requirePageCaller("/settings/notifications");
  if (caller.role !== "ADMIN") return <AdminOnly />;
  const [smtp, channels, links, events] = await Promise.all([smtpSettings(db), listChannels(db), db.link.findMany({ select: { id: true, name: true }, orderBy: { name: "asc" } }), recentEvents(db)]);
  const logs = new Map(await Promise.all(channels.map(async (c) => [c.id, await channelAttempts(db, c.id, 10)] as const)));
  const linkName = new Map(links.map((l) => [l.id, l.name]));
  return (
    <>
      <PageHeader
        title="Notifications"
        description={
          <>
            Administrators learn that a link broke before its users do: by email and by webhook. A flapping link sends at most one alert every {flapMinutes()} minutes (ALERT_FLAP_MINUTES) and then one recovery;
            certificates and authorizations are announced {expiryDays()} days before they end (ALERT_EXPIRY_DAYS). <Link href="/settings" className="underline">Back to settings</Link>
          </>
        }
      />
      {configuredBaseUrl() ? null : (
        <p role="status" className="mb-4 rounded-md bg-warning/10 px-3 py-2 text-sm text-warning">
          APP_URL is not set: messages cannot link to the link&apos;s page. Set APP_URL to this app&apos;s public address.
        </p>
      )}
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-2 [&>*]:min-w-0">
        <Card aria-labelledby="channels-add-heading">
          <h2 id="channels-add-heading" className="mb-4 text-lg font-semibold">
            Add a channel
          </h2>
          <ChannelForm action={createChannelAction} links={links} events={EVENTS} idPrefix="new-channel" />
        </Card>
        <Card aria-labelledby="smtp-heading">
          <h2 id="smtp-heading" className="mb-1 text-lg font-semibold">
            SMTP server
          </h2>
          <p className="mb-4 text-sm text-muted">Your organisation&apos;s mail server, through which every email channel sends.</p>
          <SmtpForm action={saveSmtpAction} current={smtp} />
        </Card>
      </div>
      <section aria-labelledby="channels-heading" className="mt-8">
        <h2 id="channels-heading" className="mb-3 text-lg font-semibold">
          Channels
        </h2>
        {channels.length === 0 ? (
          <EmptyState title="No channels yet">Add one above: nobody is told when a link breaks until then.</EmptyState>
        ) : (
          <ul className="flex flex-col gap-4">
            {channels.map((channel) => (
              <li key={channel.id}>
                <Card aria-label={`Channel ${channel.name}`} className="flex flex-col gap-3">
                  <div className="flex flex-wrap items-center gap-2">
                    <h3 className="text-base font-semibold [overflow-wrap:anywhere]">{channel.name}</h3>
                    <Lozenge tone={channel.enabled ? "success" : "neutral"}>{channel.enabled ? "On" : "Off"}</Lozenge>
                    <span className="text-sm text-muted">{channel.kind === "email" ? "Email" : `Webhook (${channel.format})`}</span>
                  </div>
                  <dl className="grid grid-cols-1 gap-x-4 gap-y-1 text-sm sm:grid-cols-[8rem_1fr]">
                    <dt className="text-muted">{channel.kind === "email" ? "Recipients" : "URL"}</dt>
                    <dd className="font-mono [overflow-wrap:anywhere]">{channel.kind === "email" ? channel.recipients?.join(", ") : channel.url}</dd>
                    <dt className="text-muted">Events</dt>
                    <dd>{channel.events.map((e) => EVENT_LABEL[e as keyof typeof EVENT_LABEL] ?? e).join("; ")}</dd>
                    <dt className="text-muted">Links</dt>
                    <dd className="[overflow-wrap:anywhere]">{channel.links === "all" ? "Every link" : channel.links.length ? channel.links.map((id) => linkName.get(id) ?? id).join(", ") : "None (the links it chose were deleted): choose links or every link."}</dd>
                  </dl>
                  <ChannelActions channel={channel} test={testChannelAction} setEnabled={setChannelEnabledAction} rotate={rotateChannelSecretAction} remove={deleteChannelAction} />
                  <Disclosure label="Change…" className="text-sm">
                    <div className="mt-3">
                      <ChannelForm action={updateChannelAction} channel={channel} links={links} events={EVENTS} idPrefix={`channel-${channel.id}`} />
                    </div>
                  </Disclosure>
                  <Disclosure label={`Delivery log (${logs.get(channel.id)?.length ? "latest 10" : "empty"})`} className="text-sm">
                    {logs.get(channel.id)?.length ? (
                      <div className="mt-3">
                        <Table aria-label={`Delivery log of ${channel.name}`}>
                          <thead>
                            <tr>
                              <Th>When</Th>
                              <Th>Event</Th>
                              <Th>Outcome</Th>
                            </tr>
                          </thead>
                          <tbody>
                            {logs.get(channel.id)!.map((attempt, i) => (
                              <tr key={i}>
                                <Td className="whitespace-nowrap">
                                  <Time value={attempt.at} />
                                </Td>
                                <Td>
                                  {attempt.eventType === "test" ? "Test" : (EVENT_LABEL[attempt.eventType as keyof typeof EVENT_LABEL] ?? attempt.eventType)}
                                  {attempt.linkName && attempt.eventType !== "test" ? `: ${attempt.linkName}` : ""}
                                </Td>
                                <Td className="[overflow-wrap:anywhere]">
                                  <Lozenge tone={attempt.ok ? "success" : "danger"}>{attempt.ok ? "Delivered" : "Failed"}</Lozenge> {attempt.detail} ({attempt.ms} ms)
                                </Td>
                              </tr>
                            ))}
                          </tbody>
                        </Table>
                      </div>
                    ) : (
                      <p className="mt-2 text-muted">Nothing sent yet.</p>
                    )}
                  </Disclosure>
                </Card>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="events-heading" className="mt-8">
        <h2 id="events-heading" className="mb-3 text-lg font-semibold">
          Recent events
        </h2>
        {events.length === 0 ? (
          <p className="text-sm text-muted">Nothing has happened to tell yet.</p>
        ) : (
          <Table aria-label="Recent events">
            <thead>
              <tr>
                <Th>When</Th>
                <Th>Link</Th>
                <Th>Event</Th>
                <Th>What became of it</Th>
              </tr>
            </thead>
            <tbody>
              {events.map((event) => (
                <tr key={event.id}>
                  <Td className="whitespace-nowrap">
                    <Time value={event.at} />
                  </Td>
                  <Td className="[overflow-wrap:anywhere]">{event.linkName}</Td>
                  <Td>{EVENT_LABEL[event.type as keyof typeof EVENT_LABEL] ?? event.type}</Td>
                  <Td className="[overflow-wrap:anywhere]">{event.outcome}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </section>
    </>
  );
}
