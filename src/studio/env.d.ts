// Build-time constants Vite defines for the studio (see vite.config.ts).
type PathSpec = 'leaf' | 'open' | { [key: string]: PathSpec };
declare const __TG_CATALOGUE__: { facts: Record<string, PathSpec>; operators: string[]; slotTypes: string[]; handlerEvents: string[] };
