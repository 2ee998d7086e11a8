"""A small notes API: the uv project of careen's init matrix."""
from fastapi import FastAPI

app = FastAPI()
NOTES: list[str] = []


@app.get("/")
def index() -> dict:
    return {"notes": len(NOTES)}


@app.post("/notes")
def add(text: str) -> dict:
    NOTES.append(text)
    return {"id": len(NOTES)}
