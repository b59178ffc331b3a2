export interface SseMessage {
  event: string;
  id: string;
  data: { id: number; name: string; task_id: string | null; namespace: string | null; payload: Record<string, unknown> };
}

/** Reads SSE messages from a response until `done` says stop (or `timeoutMs`), then closes it. */
export async function readEvents(res: Response, done: (seen: SseMessage[]) => boolean, timeoutMs = 15_000): Promise<SseMessage[]> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const seen: SseMessage[] = [];
  let buffer = "";
  const deadline = Date.now() + timeoutMs;
  try {
    while (!done(seen) && Date.now() < deadline) {
      const chunk = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), deadline - Date.now()))]);
      if (chunk === null || chunk.done) break;
      buffer += decoder.decode(chunk.value, { stream: true });
      let cut: number;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const fields = Object.fromEntries(block.split("\n").filter((l) => !l.startsWith(":")).map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 2)]));
        if (fields.data) seen.push({ event: fields.event!, id: fields.id!, data: JSON.parse(fields.data) });
      }
    }
  } finally {
    await reader.cancel();
  }
  return seen;
}
