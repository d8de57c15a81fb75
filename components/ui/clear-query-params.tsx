"use client";

import { useEffect } from "react";

/**
 * One-time messages travel in the URL (`?warning=…`, `?created=…`): once shown, they are taken out
 * of the address, so a reload or a bookmark does not show them again. The page keeps showing them.
 */
export function ClearQueryParams({ names }: { names: string[] }) {
  useEffect(() => {
    const url = new URL(window.location.href);
    let changed = false;
    for (const name of names) {
      if (url.searchParams.has(name)) {
        url.searchParams.delete(name);
        changed = true;
      }
    }
    if (changed) window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
  }, [names]);
  return null;
}
