"""A small FastAPI service: a health endpoint and an in-memory counter."""

from fastapi import FastAPI

app = FastAPI(title="careen example: python-http")
COUNTS: dict[str, int] = {}


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/count/{name}")
def count(name: str) -> dict[str, int]:
    COUNTS[name] = COUNTS.get(name, 0) + 1
    return {name: COUNTS[name]}


@app.get("/count/{name}")
def read(name: str) -> dict[str, int]:
    return {name: COUNTS.get(name, 0)}
