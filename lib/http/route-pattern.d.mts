export function routePattern(url: string | undefined): string;
