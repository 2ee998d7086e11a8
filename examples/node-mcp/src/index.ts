import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";

const server = new McpServer({ name: "notes", version: "0.1.0" });
const notes = new Map<string, string>();

server.tool("add_note", { title: z.string(), body: z.string() }, async ({ title, body }) => {
  notes.set(title, body);
  return { content: [{ type: "text", text: `saved ${title}` }] };
});

server.tool("list_notes", {}, async () => ({
  content: [{ type: "text", text: [...notes.keys()].join("\n") || "(no notes)" }],
}));

await server.connect(new StdioServerTransport());
