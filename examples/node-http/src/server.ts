import express from "express";

const app = express();
const counts = new Map<string, number>();

app.get("/health", (_req, res) => {
  res.json({ status: "ok" });
});

app.post("/count/:name", (req, res) => {
  const next = (counts.get(req.params.name) ?? 0) + 1;
  counts.set(req.params.name, next);
  res.json({ [req.params.name]: next });
});

const port = Number(process.env.PORT ?? 3000);
const server = app.listen(port, () => console.log(`listening on ${port}`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
