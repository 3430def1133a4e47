// threadgate/client: placeholder so the ./client subpath builds; the typed HTTP client replaces this file.
export {};
