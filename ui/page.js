() => {
  // newsrag's page script (ui/app.py passes it to launch(js=...)). It only routes clicks: a click
  // on a source link ([n] in an answer or a source box) asks the server for that passage; the
  // server renders it, escaped, into the side panel. No article text is ever put in the DOM here.
  if (window.__newsrag) return;
  window.__newsrag = true;
  const PREFIX = "#newsrag-source/";
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest('a[href^="' + PREFIX + '"]');
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    window.__newsragSource = link.getAttribute("href");
    const open = document.querySelector("#newsrag-open-source");
    if (open) open.click();
  }, true);

  // "Copy answer": the newest answer and its sources as Markdown, our source links made plain.
  const text = (m) => {
    const c = m && m.content;
    if (typeof c === "string") return c;
    if (Array.isArray(c)) return c.map((p) => (typeof p === "string" ? p : (p && (p.text || (p.value && p.value.text))) || "")).join("");
    return (c && c.text) || "";
  };
  const plain = (md) => md.replace(/\[\[(\d+)\]\]\(<#newsrag-source\/[^>\s]*>(?: "[^"]*")?\)/g, "[$1]");
  window.newsragMarkdown = (history) => {
    const msgs = Array.isArray(history) ? history : [];
    let i = msgs.length - 1;
    while (i >= 0 && (msgs[i].role !== "assistant" || (msgs[i].metadata && msgs[i].metadata.title))) i--;
    if (i < 0) return "";
    let out = plain(text(msgs[i]));
    for (let j = i + 1; j < msgs.length && msgs[j].role === "assistant"; j++) {
      const title = msgs[j].metadata && msgs[j].metadata.title;
      out += "\n\n" + (title ? "**" + title + "**\n\n" : "") + plain(text(msgs[j]));
    }
    let q = i - 1;
    while (q >= 0 && msgs[q].role !== "user") q--;
    return (q >= 0 ? "**Q:** " + text(msgs[q]) + "\n\n" : "") + out;
  };
  window.newsragCopy = (history) => {
    const md = window.newsragMarkdown(history);
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(md);
    const area = document.createElement("textarea"); // plain http off localhost has no clipboard API
    area.value = md;
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  };
}
