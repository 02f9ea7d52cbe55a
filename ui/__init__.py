"""The newsrag web page (Gradio), a thin layer over `rag.index.NewsIndex`. See `ui.app`."""

from .app import build_app, respond, serve

__all__ = ["build_app", "respond", "serve"]
