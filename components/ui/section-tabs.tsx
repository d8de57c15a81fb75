"use client";

import * as Tabs from "@radix-ui/react-tabs";
import { useState, type ReactNode } from "react";

/**
 * A page's sections as tabs (Radix Tabs: arrow keys move between them, each panel named by its
 * tab). Every panel stays in the page while another is shown (hidden), so a form half filled in
 * one section keeps what was typed when the admin looks at another. `initial`: the section an
 * address asks for (`?section=incoming`), else the first. Each panel opens with its title as a
 * heading (unless `heading: false`) and its `intro`.
 */
export function SectionTabs({ label, sections, initial }: { label: string; sections: { id: string; title: string; heading?: boolean; intro?: ReactNode; content: ReactNode }[]; initial?: string }) {
  const [current, setCurrent] = useState(sections.some((s) => s.id === initial) ? initial! : sections[0]!.id);
  return (
    <Tabs.Root id="settings" value={current} onValueChange={setCurrent} className="mt-6 scroll-mt-4">
      <Tabs.List aria-label={label} className="flex flex-wrap gap-1 border-b border-border">
        {sections.map((s) => (
          <Tabs.Trigger
            key={s.id}
            value={s.id}
            className="-mb-px rounded-t-md border border-transparent px-3 py-2 text-sm font-medium text-muted hover:text-fg data-[state=active]:border-border data-[state=active]:border-b-surface data-[state=active]:bg-surface data-[state=active]:text-fg"
          >
            {s.title}
          </Tabs.Trigger>
        ))}
      </Tabs.List>
      {sections.map((s) => (
        <Tabs.Content key={s.id} value={s.id} forceMount className="rounded-b-lg border border-t-0 border-border bg-surface p-4 data-[state=inactive]:hidden sm:p-6">
          {s.heading === false ? null : (
            <h2 id={`${s.id}-heading`} className={s.intro ? "text-lg font-semibold" : "mb-3 text-lg font-semibold"}>
              {s.title}
            </h2>
          )}
          {s.intro ? <p className="mb-4 text-sm text-muted">{s.intro}</p> : null}
          {s.content}
        </Tabs.Content>
      ))}
    </Tabs.Root>
  );
}
