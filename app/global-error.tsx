"use client";

export default function GlobalError({ error }: { error: Error & { digest?: string } }) {
  return (
    <html lang="en">
      <body>
        <main>
          <h1>Something went wrong</h1>
          <p>The application could not be shown.{error.digest ? ` Reference: ${error.digest}.` : ""}</p>
        </main>
      </body>
    </html>
  );
}
