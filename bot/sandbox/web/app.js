// The sandbox web chat: act as any enrolled person, see their private chat and the group's topics.
"use strict";
const state = { me: null, chat: null, thread: null, replyTo: null, group: null };
const $ = (id) => document.getElementById(id);

async function api(path, body) {
  const options = body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const response = await fetch(path, options);
  const data = await response.json();
  if (!response.ok) throw new Error(data.description || response.statusText);
  return data;
}

async function loadPeople() {
  const users = await api("/sandbox/users");
  $("who").innerHTML = users.map((u) => `<option value="${u.id}">${escapeHtml(u.first_name)} (${u.id})</option>`).join("");
  state.me = users.length ? users[0].id : null;
  await loadChats();
}

async function loadChats() {
  if (state.me === null) return;
  const chats = await api("/sandbox/chats");
  const group = chats.find((c) => c.type === "supergroup" && c.is_forum);
  state.group = group ? group.id : null;
  const entries = [{ label: "🤖 Trò chuyện riêng với bot", chat: state.me, thread: null }];
  if (group) {
    entries.push({ label: `👥 ${group.title} — chung`, chat: group.id, thread: null });
    for (const topic of await api(`/sandbox/chats/${group.id}/topics`)) {
      entries.push({ label: `# ${topic.name}`, chat: group.id, thread: topic.message_thread_id, closed: topic.closed });
    }
  }
  if (state.chat === null) { state.chat = entries[0].chat; state.thread = null; }
  $("chats").innerHTML = "";
  for (const entry of entries) {
    const li = document.createElement("li");
    li.textContent = entry.label + (entry.closed ? " (đã đóng)" : "");
    if (entry.closed) li.classList.add("closed");
    if (entry.chat === state.chat && entry.thread === state.thread) { li.classList.add("active"); $("title").textContent = entry.label; }
    li.onclick = () => { state.chat = entry.chat; state.thread = entry.thread; state.replyTo = null; refresh(); };
    $("chats").appendChild(li);
  }
}

async function loadMessages() {
  if (state.chat === null) return;
  let messages = await api(`/sandbox/chats/${state.chat}/messages` + (state.thread ? `?thread_id=${state.thread}` : ""));
  if (state.chat === state.group && !state.thread) messages = messages.filter((m) => !m.message_thread_id);
  const box = $("messages");
  const atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 30;
  box.innerHTML = "";
  for (const m of messages) box.appendChild(renderMessage(m));
  if (atBottom) box.scrollTop = box.scrollHeight;
}

function renderMessage(m) {
  const div = document.createElement("div");
  div.className = "msg" + (m.from && m.from.id === state.me ? " mine" : "");
  div.dataset.messageId = m.message_id;
  const who = m.from ? (m.from.is_bot ? "🤖 bot" : m.from.first_name) : "";
  const edited = m.edit_date ? " · đã sửa" : "";
  let body = escapeHtml(m.text || m.caption || (m.forum_topic_created ? `Chủ đề được tạo: ${m.forum_topic_created.name}` : ""));
  if (m.document) body = `📎 ${escapeHtml(m.document.file_name)}` + (body ? `\n${body}` : "");
  if (m.photo && m.photo.length) {
    const largest = m.photo[m.photo.length - 1];
    body = `🖼 ảnh ${largest.width}×${largest.height}` + (body ? `\n${body}` : "");
  }
  div.innerHTML = `<div class="meta">${escapeHtml(who)} · #${m.message_id}${edited}</div><div class="text">${body}</div>`;
  const rows = (m.reply_markup && m.reply_markup.inline_keyboard) || [];
  if (rows.length) {
    const buttons = document.createElement("div");
    buttons.className = "buttons";
    for (const row of rows) for (const b of row) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = b.text;
      button.onclick = (event) => { event.stopPropagation(); press(m.message_id, b.callback_data); };
      buttons.appendChild(button);
    }
    div.appendChild(buttons);
  }
  div.onclick = () => { state.replyTo = m.message_id; $("reply-id").textContent = `#${m.message_id}`; $("replying").hidden = false; };
  return div;
}

async function press(messageId, data) {
  try { await api("/sandbox/callbacks", { from: state.me, chat_id: state.chat, message_id: messageId, data }); showError(""); }
  catch (error) { showError(error.message); }
}

async function send(event) {
  event.preventDefault();
  const text = $("text").value;
  const file = $("file").files[0];
  const body = { from: state.me, chat_id: state.chat };
  if (state.thread) body.message_thread_id = state.thread;
  if (state.replyTo) body.reply_to_message_id = state.replyTo;
  if (file && isPicture(file) && $("as-photo").checked) body.photo = { content_b64: await toBase64(file) };
  else if (file) body.document = { file_name: file.name, mime_type: file.type || "application/octet-stream", content_b64: await toBase64(file) };
  if (text) body.text = text;
  if (!file && !text) return;
  try {
    await api("/sandbox/messages", body);
    $("text").value = ""; $("file").value = ""; $("as-photo-label").hidden = true; state.replyTo = null; $("replying").hidden = true; showError("");
    await refresh();
  } catch (error) { showError(error.message); }
}

// A picture the page can send as a Telegram photo (the bot then gets its PhotoSize list).
function isPicture(file) { return /^image\/(png|jpeg|webp|gif|bmp)$/.test(file.type); }

function toBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",", 2)[1]);
    reader.onerror = reject;
    reader.readAsDataURL(file);
  });
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

function showError(message) { $("error").textContent = message; }

async function refresh() {
  try { await loadChats(); await loadMessages(); } catch (error) { showError(error.message); }
}

$("who").onchange = () => { state.me = Number($("who").value); state.chat = null; state.thread = null; refresh(); };
$("composer").onsubmit = send;
$("file").onchange = () => { const file = $("file").files[0]; $("as-photo-label").hidden = !(file && isPicture(file)); };
$("reply-cancel").onclick = () => { state.replyTo = null; $("replying").hidden = true; };
loadPeople().then(refresh);
setInterval(refresh, 1000);
