/*
 * The chat page (index.html). ECMAScript 3 and DOM level 1 only, so it runs where cometchat.js runs:
 * no JSON, Array.prototype.indexOf/forEach, Function.prototype.bind, textContent or querySelector.
 */
(function (window, document) {
    var CometChat = window.CometChat;
    var dom = CometChat.dom, $ = dom.$, on = dom.on, stop = dom.stop, el = dom.el, setText = dom.setText, trim = dom.trim;
    // Always this page's own origin: a server named by the URL would receive the password and run its answer here.
    var server = "";
    var me = null, token = null, chat = null;
    var convs = {}, order = [], current = null;
    var receipted = {}, marks = {}, typingTimers = {}, lastTypingSent = 0, presenceTimer = null, roomsTimer = null;
    // Every shown message by mid (recalls and edits find their original here), the users blocked, the windows.
    var byMid = {}, blocked = {}, refreshTimer = null;
    var RECALL_SECONDS = 120, EDIT_SECONDS = 900;
    // Rooms this user is in (from the conversation list and their own join/leave messages), the agent of their support session.
    var joined = {}, supportAgent = null, reloadingRooms = null;
    var SESSION_KEY = "cometchat-session", TRANSPORT_KEY = "cometchat-transport", OPEN_KEY = "cometchat-open";
    var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    var MARK_SENT = "\u2713", MARK_DELIVERED = "\u2713\u2713";

    function param(name) {
        var m = new RegExp("[?&]" + name + "=([^&#]*)").exec(window.location.search);
        return m ? decodeURIComponent(m[1].replace(/\+/g, " ")) : null;
    }


    function hasClass(e, c) { return (" " + e.className + " ").indexOf(" " + c + " ") >= 0; }

    function pad(n) { return (n < 10 ? "0" : "") + n; }

    // 14:03 today, "12 Nov 14:03" this year, "12 Nov 2025 14:03" before: an old message says when it was.
    function timeOf(ms) {
        var d = new Date(ms), today = new Date(), clock = pad(d.getHours()) + ":" + pad(d.getMinutes());
        if (d.getFullYear() === today.getFullYear() && d.getMonth() === today.getMonth() && d.getDate() === today.getDate()) return clock;
        return d.getDate() + " " + MONTHS[d.getMonth()] + (d.getFullYear() === today.getFullYear() ? "" : " " + d.getFullYear()) + " " + clock;
    }

    // What this browser keeps: the session, the transport picked, the open conversation.
    var keep = CometChat.keep, kept = CometChat.kept;

    // ---- Login ------------------------------------------------------------------------------------

    function transportChoice() {
        return param("transport") || kept(TRANSPORT_KEY) || "auto";
    }

    on($("login-form"), "submit", function (e) {
        stop(e);
        var name = trim($("login-name").value), password = $("login-password").value;
        setText($("login-error"), "");
        if (!name || !password) { setText($("login-error"), "Name and password, please."); return false; }
        $("login-button").disabled = true;
        CometChat.login(server, name, password, function (err, res) {
            $("login-button").disabled = false;
            if (err) { setText($("login-error"), err.message || "Sign-in failed."); return; }
            keep(SESSION_KEY, res.user + " " + res.token);
            start(res);
        });
        return false;
    });

    on($("logout"), "click", function (e) {
        stop(e);
        keep(SESSION_KEY, null);
        keep(OPEN_KEY, null);
        if (!chat) { window.location.reload(); return false; }
        // Revoked on the server too where it can (POST /api/logout); signed out here whatever it answers.
        chat.post("/api/logout", "/api/logout", {}, function () { chat.close(); window.location.reload(); });
        return false;
    });

    // The transport picker, for those who want it: out of the way, in the sidebar's "connection" corner.
    $("transport").value = transportChoice();
    on($("advanced-link"), "click", function (e) {
        stop(e);
        $("advanced").style.display = $("advanced").style.display === "none" ? "block" : "none";
        return false;
    });
    on($("transport"), "change", function () {
        keep(TRANSPORT_KEY, $("transport").value === "auto" ? null : $("transport").value);
        if (!chat) return;
        var cursor = chat.cursor();
        chat.close();
        connect(cursor);
    });

    function connect(since) {
        chat = CometChat.connect({
            server: server, token: token, since: since, transport: transportChoice(), user: me,
            onMessage: received, onEvent: event, onState: state
        });
    }

    // A session kept from an earlier visit: signed in at once, the view rebuilt from the server.
    (function resume() {
        var raw = kept(SESSION_KEY);
        if (!raw || raw.indexOf(" ") < 0) return;
        start({user: raw.substring(0, raw.indexOf(" ")), token: raw.substring(raw.indexOf(" ") + 1), cursor: null});
    })();

    function start(res) {
        me = res.user;
        token = res.token;
        $("login").style.display = "none";
        $("app").style.display = "block";
        setText($("me-name"), me);
        // No cursor (a resumed session): the library starts at the feed head; what came before is in the
        // conversation list's unread counts and in each conversation's history.
        connect(typeof res.cursor === "number" ? res.cursor : null);
        loadRooms();
        loadConversations();
        loadBlocks();
        bindUploads();
        roomsTimer = window.setInterval(loadRooms, 30000);
        presenceTimer = window.setInterval(loadPresence, 15000);
        if (param("with") || kept(OPEN_KEY)) open(param("with") || kept(OPEN_KEY));
        // A customer waiting in the support queue sees their place at once, not only at its next change.
        chat.get("/api/support/mine", {}, function (err, res) {
            if (err || !res) return;
            if (res.state === "assigned" && res.agent) supportAgent = res.agent;
            if (res.state === "queued" && typeof res.position === "number") queued({position: res.position, estimatedWaitSeconds: res.estimatedWaitSeconds});
        });
    }

    // ---- Connection state -------------------------------------------------------------------------

    function state(s, transport) {
        var text = s + (transport ? " via " + transport : ""), banner = $("banner");
        setText($("status-text"), text);
        $("status-dot").className = "dot " + (s === "connected" ? "on" : "off");
        $("app").setAttribute("data-state", s);
        $("app").setAttribute("data-transport", transport || "");
        if (s === "connected") {
            banner.style.display = "none";
            $("main").className = "main";
            loadPresence();
            return;
        }
        // Nobody is known to be online while this page cannot reach the server.
        presenceUnknown();
        if (s === "unauthorized") { expired(); return; }
        banner.className = "banner" + (s === "closed" ? " bad" : "");
        setText(banner, s === "reconnecting" ? "Offline: reconnecting\u2026 Messages you send are retried."
            : s === "closed" ? "Disconnected." : "Connecting\u2026");
        banner.style.display = "block";
        $("main").className = "main offline"; // the banner sits above the title, not over it
    }

    // The kept session is no longer accepted (expired, revoked): back to the sign-in form, saying why.
    function expired() {
        keep(SESSION_KEY, null);
        if (chat) chat.close();
        chat = null;
        window.clearInterval(roomsTimer);
        window.clearInterval(presenceTimer);
        $("app").style.display = "none";
        $("login").style.display = "block";
        $("login-name").value = me || "";
        setText($("login-error"), "Your sign-in has expired: please sign in again.");
    }

    // ---- Conversations ----------------------------------------------------------------------------

    // Which conversation a message belongs to, from this user's side (API.md §2 and §6).
    function keyOf(m) {
        var to = m.to, from = m.from, k;
        // An agent's note belongs to the customer's conversation that carries its session.
        if (m.kind === "note") {
            for (k in convs) if (convs.hasOwnProperty(k) && convs[k].sid === m.sid && k !== "@support") return k;
            return from === me ? "@support" : from;
        }
        if (to && to.charAt(0) === "#") return to;
        if (from === "@support") return to === me ? "@support" : to;
        if (to === "@support") return from === me ? "@support" : from;
        if (m.sid !== undefined && m.sid !== null && from !== me && to === me && !(convs[from] && convs[from].sid)) return "@support";
        return from === me ? to : from;
    }

    function conv(key) {
        var c = convs[key];
        if (c) return c;
        c = convs[key] = {key: key, mids: {}, ids: {}, items: [], oldest: null, more: true, loaded: false, unread: 0, sid: null, online: null, readUpTo: 0, lastMid: 0, seenUpTo: 0};
        c.li = el("li");
        c.li.setAttribute("data-conv", key);
        c.dot = el("span", "dot " + (key.charAt(0) === "#" || key.charAt(0) === "@" ? "none" : "off"));
        c.count = el("span", "count");
        c.count.style.display = "none";
        c.li.appendChild(c.count);
        c.li.appendChild(c.dot);
        c.li.appendChild(document.createTextNode(" " + key));
        on(c.li, "click", function () { open(key); });
        c.list = el("div", "conv");
        var list = $("convs");
        list.insertBefore(c.li, list.firstChild);
        order.push(key);
        return c;
    }

    function open(key) {
        var c = conv(key), box = $("messages");
        if (current) current.li.className = "";
        current = c;
        c.li.className = "current";
        keep(OPEN_KEY, key);
        if (key.charAt(0) === "#") drawRooms();
        markRead(c);
        setText($("conv-title"), key);
        setText($("conv-info"), c.queueText || (c.sid ? "support session " + c.sid : ""));
        setText($("typing"), "");
        $("conv-dot").className = c.dot.className;
        while (box.firstChild) box.removeChild(box.firstChild);
        box.appendChild(c.list);
        $("body").disabled = false;
        $("send").disabled = false;
        $("file-input").disabled = false;
        box.scrollTop = box.scrollHeight;
        readAll(c);
        if (!c.loaded) { c.loaded = true; loadHistory(c, true); }
        loadPresence();
        try { $("body").focus(); } catch (e) {}
    }

    on($("dm-form"), "submit", function (e) {
        stop(e);
        var name = trim($("dm-name").value);
        if (name) { $("dm-name").value = ""; open(name); }
        return false;
    });

    on($("room-form"), "submit", function (e) {
        stop(e);
        var name = trim($("room-name").value).replace(/^#/, "");
        if (name) { $("room-name").value = ""; joinRoom(name); }
        return false;
    });

    function joinRoom(name) {
        chat.join(name, function (err, res) {
            if (err) { note(conv("#" + name), "Could not join: " + (err.message || err.code)); open("#" + name); return; }
            joined[name] = true;
            if (res && typeof res.members === "number") roomCounts[name] = res.members;
            drawRooms();
            open("#" + name);
        });
    }

    // ---- Messages ---------------------------------------------------------------------------------

    function received(m) {
        if (m.kind === "receipt") { markReceipt(m.ref, m.body); return; }
        if (m.kind === "read") { readElsewhere(m); return; }
        if (m.kind === "recall" || m.kind === "edit") { changed(m); return; }
        var c = conv(keyOf(m)), counted = typeof m.mid === "number" && m.mid <= c.lastMid, agent;
        if (m.sid !== undefined && m.sid !== null && c.key !== "@support") c.sid = m.sid;
        if (m.kind === "session" && c.key === "@support" && !/^(queued|offline)/.test(m.body)) c.queueText = null;
        if (m.kind === "session" && c.key === "@support") {
            agent = /^(assigned|transferred) to (.+)$/.exec(m.body);
            supportAgent = agent ? agent[2] : /^closed/.test(m.body) ? null : supportAgent;
        }
        if ((m.kind === "join" || m.kind === "leave") && c.key.charAt(0) === "#") roomChanged(c.key.substring(1), m);
        if (c === current) setText($("conv-info"), c.queueText || (c.sid ? "support session " + c.sid : ""));
        show(c, m, false);
        if (typeof m.mid === "number" && m.mid > c.lastMid) { c.lastMid = m.mid; toTop(c); }
        if (m.from === me && isContent(m)) { c.readUpTo = Math.max(c.readUpTo, m.mid); setUnread(c, 0); }
        if (m.from !== me && isContent(m)) {
            clearTyping(c);
            if (c === current && !document.hidden) { acknowledge(m, "read"); markRead(c); }
            else {
                acknowledge(m, "delivered");
                if (m.mid > c.readUpTo && !counted) setUnread(c, c.unread + 1);
            }
        }
    }

    function isContent(m) { return m.kind === "text" || m.kind === "file"; }

    // ---- Unread counts: the store's, the same in every tab (API.md §8) ------------------------------

    function setUnread(c, n) {
        c.unread = n;
        setText(c.count, n > 999 ? "999+" : String(n));
        c.count.style.display = n > 0 ? "inline" : "none";
    }

    function toTop(c) {
        var list = $("convs");
        if (list.firstChild !== c.li) list.insertBefore(c.li, list.firstChild);
    }

    // How the server's list names a conversation, as this page keys it (an agent's support threads by customer).
    function keyOfEntry(e) { return e["with"]; }

    function loadConversations() {
        if (!chat) return;
        chat.conversations(null, 100, function (err, res) {
            if (err || !res) return;
            var list = res.conversations || [], i, e, c;
            joined = {};
            // Most recent first: placed bottom-up, so the most recent ends on top.
            for (i = list.length - 1; i >= 0; i--) {
                e = list[i];
                c = conv(keyOfEntry(e));
                if (e.kind === "support" && e["with"] !== "@support" && e.last && e.last.sid) c.sid = e.last.sid;
                c.readUpTo = Math.max(c.readUpTo, e.readUpTo);
                // What was read before this visit: messages after it, first shown from history, still get their read receipt.
                if (!c.seenUpTo) c.seenUpTo = e.readUpTo;
                if (e.kind === "room") joined[e["with"].substring(1)] = true;
                if (e.last && e.last.mid > c.lastMid) c.lastMid = e.last.mid;
                toTop(c);
                setUnread(c, c === current ? 0 : e.unread);
            }
            drawRooms();
        });
    }

    // A read marker from this user's other tab or device: counts from the store again, shortly (several may come).
    function readElsewhere(m) {
        var c = convs[m.body];
        if (c) c.readUpTo = Math.max(c.readUpTo, m.ref);
        refreshSoon();
    }

    function refreshSoon() {
        if (refreshTimer) window.clearTimeout(refreshTimer);
        refreshTimer = window.setTimeout(function () { refreshTimer = null; loadConversations(); }, 150);
    }

    function markRead(c) {
        setUnread(c, 0);
        if (!chat || c.lastMid <= c.readUpTo) return;
        var upTo = c.lastMid, extra = c.sid && c.key !== "@support" ? {sid: c.sid, "with": "@support"} : null;
        c.readUpTo = upTo;
        chat.markRead(c.key, upTo, function () {}, extra);
    }

    // ---- Recall and edit --------------------------------------------------------------------------

    function changed(m) {
        var item = byMid[m.ref];
        if (!item) return;
        if (m.kind === "recall") { item.m.recalled = true; item.m.body = ""; item.m.file = null; refreshSoon(); }
        else { item.m.body = m.body; item.m.editedAt = m.sentAt; }
        rerender(item.c, item.m);
    }

    function rerender(c, m) {
        var row = render(c, m);
        if (m.row && m.row.parentNode) m.row.parentNode.replaceChild(row, m.row);
        m.row = row;
    }

    function secondsLeft(m, windowSeconds) {
        return Math.floor(windowSeconds - (new Date().getTime() - m.sentAt) / 1000);
    }

    function clock(s) { var mm = Math.floor(s / 60), ss = s % 60; return mm + ":" + (ss < 10 ? "0" : "") + ss; }

    function toggleMenu(c, m, bubble) {
        if (m.menu) { bubble.removeChild(m.menu); m.menu = null; return; }
        var menu = el("span", "menu"), recallLeft = secondsLeft(m, RECALL_SECONDS), editLeft = secondsLeft(m, EDIT_SECONDS), link;
        if (recallLeft > 0) {
            link = el("a", "recall", "Recall (" + clock(recallLeft) + " left)");
            link.href = "#";
            on(link, "click", function (e) {
                stop(e);
                // This tab's own recall does not come back through its feed (client): apply it from the answer.
                chat.recall(m.mid, function (err) {
                    if (err) { note(c, "Not recalled: " + (err.message || err.code)); return; }
                    m.menu = null;
                    changed({kind: "recall", ref: m.mid});
                });
                return false;
            });
            menu.appendChild(link);
        }
        if (editLeft > 0 && m.kind === "text") {
            link = el("a", "edit", "Edit (" + clock(editLeft) + " left)");
            link.href = "#";
            on(link, "click", function (e) {
                stop(e);
                var body = window.prompt("Edit your message", m.body);
                if (body === null || trim(body) === "" || body === m.body) return false;
                chat.edit(m.mid, body, function (err) {
                    if (err) { note(c, "Not edited: " + (err.message || err.code)); return; }
                    m.menu = null;
                    changed({kind: "edit", ref: m.mid, body: body, sentAt: new Date().getTime()});
                });
                return false;
            });
            menu.appendChild(link);
        }
        if (!menu.firstChild) menu.appendChild(el("span", "small", "too late to recall or edit"));
        m.menu = menu;
        bubble.appendChild(menu);
    }

    // ---- Blocks -----------------------------------------------------------------------------------

    function loadBlocks() {
        chat.blocks(function (err, res) {
            if (err || !res) return;
            var i;
            for (i = 0; i < res.blocks.length; i++) blocked[res.blocks[i]] = true;
            if (current) showBlock(current);
        });
    }

    function isUser(key) { return key.charAt(0) !== "#" && key.charAt(0) !== "@" && !(convs[key] && convs[key].sid); }

    function showBlock(c) {
        var link = $("conv-block");
        if (!isUser(c.key) || c.key === me) { link.style.display = "none"; return; }
        setText(link, blocked[c.key] ? "unblock" : "block");
        link.style.display = "inline";
    }

    on($("conv-block"), "click", function (e) {
        stop(e);
        var c = current;
        if (!c || !isUser(c.key)) return false;
        var user = c.key, was = !!blocked[user];
        (was ? chat.unblock : chat.block)(user, function (err) {
            if (err) { note(c, (was ? "Not unblocked: " : "Not blocked: ") + (err.message || err.code)); return; }
            if (was) delete blocked[user]; else blocked[user] = true;
            note(c, was ? user + " may write to you again." : user + " can no longer write to you directly.");
            if (current === c) showBlock(c);
        });
        return false;
    });

    // ---- Search -----------------------------------------------------------------------------------

    on($("search-form"), "submit", function (e) {
        stop(e);
        var q = trim($("search-q").value), ul = $("search-results");
        if (!chat || q.length < 2) return false;
        chat.search(q, {limit: 20}, function (err, res) {
            while (ul.firstChild) ul.removeChild(ul.firstChild);
            ul.style.display = "block";
            if (err) { ul.appendChild(el("li", "error", err.message || err.code)); return; }
            if (!res.messages.length) { ul.appendChild(el("li", "small", "Nothing found.")); return; }
            var i;
            for (i = 0; i < res.messages.length; i++) ul.appendChild(result(res.messages[i]));
        });
        return false;
    });

    function result(m) {
        var key = keyOf(m), li = el("li");
        li.setAttribute("data-mid", String(m.mid));
        li.appendChild(el("span", "with", key));
        li.appendChild(document.createTextNode(": " + m.body));
        on(li, "click", function () { open(key); });
        return li;
    }

    // ---- Files and images -------------------------------------------------------------------------

    function bindUploads() {
        var input = $("file-input"), box = $("messages");
        on(input, "change", function () {
            if (!current || !input.value) return;
            upload(current, input);
        });
        // Drag and drop where the browser hands over File objects and can post them (FormData).
        if (window.FormData && "ondrop" in box) {
            on(box, "dragover", function (e) { stop(e); box.className = "messages dragging"; });
            on(box, "dragleave", function () { box.className = "messages"; });
            on(box, "drop", function (e) {
                stop(e);
                box.className = "messages";
                var files = e.dataTransfer && e.dataTransfer.files, i;
                if (!current || !files) return;
                for (i = 0; i < files.length; i++) upload(current, files[i]);
            });
        }
    }

    function upload(c, source) {
        var row = el("div", "msg mine pending", "uploading…");
        c.list.appendChild(row);
        chat.upload(source, function (err, file) {
            c.list.removeChild(row);
            if (err) { note(c, "Not sent: " + (err.message || err.code)); return; }
            var extra = c.sid && c.key !== "@support" ? {sid: c.sid, file: file.id} : {file: file.id};
            chat.send(c.key, "", function (e2, res) {
                if (e2) { note(c, "Not sent: " + (e2.message || e2.code)); return; }
                settle(c, {mid: res.mid, id: res.id, from: me, to: c.key, kind: "file", body: "", file: file, sentAt: res.sentAt});
            }, extra);
        });
    }

    function isImage(file) { return /^image\/(png|jpeg|gif|webp)$/.test(file.type); }

    function fileNode(file) {
        var url = chat.fileUrl(file.id), a, img;
        if (isImage(file)) {
            img = el("img", "image");
            img.src = url;
            img.alt = file.name;
            return img;
        }
        a = el("a", "file-link", "\ud83d\udcce " + file.name + " (" + Math.max(1, Math.round(file.size / 1024)) + " KB)");
        a.href = url;
        return a;
    }

    // Receipts only for direct and support messages: a room would send one per member per message.
    function acknowledge(m, st) {
        if (m.to && m.to.charAt(0) === "#") return;
        var k = m.mid + ":" + st;
        if (receipted[k] || receipted[m.mid + ":read"]) return;
        receipted[k] = true;
        chat.receipt(m.mid, st, function () {});
    }

    // The open, visible conversation's messages from others are read: each gets its read receipt once, from
    // whichever path showed it first (the feed, or history after a reload), back to what was read before this visit.
    function readAll(c) {
        var i, m;
        if (c !== current || document.hidden) return;
        for (i = 0; i < c.items.length; i++) {
            m = c.items[i];
            if (m.from !== me && isContent(m) && typeof m.mid === "number" && m.mid > c.seenUpTo) acknowledge(m, "read");
        }
    }

    on(document, "visibilitychange", function () { if (current && !document.hidden) { readAll(current); markRead(current); } });

    function markReceipt(ref, st) {
        var rank = st === "read" ? 2 : 1;
        if ((marks[ref] || 0) >= rank) return;
        marks[ref] = rank;
        var node = document.getElementById("mark-" + ref);
        if (node) paintMark(node, rank);
    }

    function paintMark(node, rank) {
        setText(node, rank >= 1 ? MARK_DELIVERED : MARK_SENT);
        node.className = "mark" + (rank >= 2 ? " read" : rank >= 1 ? " delivered" : " sent");
        node.title = rank >= 2 ? "read" : rank >= 1 ? "delivered" : "sent";
    }

    function render(c, m) {
        var mine = m.from === me, row, bubble;
        if (m.kind === "join" || m.kind === "leave" || m.kind === "session" || m.kind === "rating") {
            row = el("div", "msg note", m.kind === "session" ? "Support: " + m.body : m.kind === "rating" ? m.from + " rated the session " + m.body
                : m.from + (m.kind === "join" ? " joined " : " left ") + m.to);
        } else if (m.kind === "note") {
            row = el("div", "msg note internal", "Internal note by " + m.from + ": " + m.body);
        } else {
            row = el("div", "msg " + (mine ? "mine" : "theirs"));
            bubble = el("span", "bubble");
            if (!mine && (c.key.charAt(0) === "#" || c.key === "@support")) bubble.appendChild(nameOf(m.from));
            if (m.recalled) bubble.appendChild(el("span", "body recalled", mine ? "You recalled this message" : "This message was recalled"));
            else {
                if (m.file) bubble.appendChild(fileNode(m.file));
                if (m.body || !m.file) bubble.appendChild(el("span", "body", m.body));
            }
            bubble.appendChild(el("span", "meta", timeOf(m.sentAt || new Date().getTime())));
            bubble.lastChild.title = new Date(m.sentAt || new Date().getTime()).toString();
            if (m.editedAt && !m.recalled) bubble.appendChild(el("span", "edited", "(edited)"));
            if (mine && typeof m.mid === "number" && !m.recalled) bubble.appendChild(menuButton(c, m, bubble));
            if (mine) {
                var mark = el("span", "mark");
                if (typeof m.mid === "number") { mark.id = "mark-" + m.mid; paintMark(mark, marks[m.mid] || 0); } else setText(mark, "\u2026");
                bubble.appendChild(mark);
            }
            row.appendChild(bubble);
        }
        if (typeof m.mid === "number") row.setAttribute("data-mid", String(m.mid));
        return row;
    }

    function menuButton(c, m, bubble) {
        var b = el("a", "menu-button", "\u22ef");
        b.href = "#";
        b.title = "recall or edit";
        on(b, "click", function (e) { stop(e); toggleMenu(c, m, bubble); return false; });
        return b;
    }

    // A sender's name in a room or support thread: a click opens the direct conversation (and its block link).
    function nameOf(user) {
        var span = el("span", "from", user);
        if (user !== "@support") on(span, "click", function () { open(user); });
        return span;
    }

    // Adds m to c in mid order, once: history, the stream and the send answer may all carry it.
    function show(c, m, history) {
        if (typeof m.mid === "number") {
            if (c.mids[m.mid]) return;
            c.mids[m.mid] = true;
            if (m.id && c.ids[m.id]) { settle(c, m); return; }
        }
        var row = render(c, m), i = c.items.length, box = $("messages");
        var atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 30;
        while (i > 0 && typeof m.mid === "number" && typeof c.items[i - 1].mid === "number" && c.items[i - 1].mid > m.mid) i--;
        if (i === c.items.length) c.list.appendChild(row); else c.list.insertBefore(row, c.items[i].row);
        m.row = row;
        c.items.splice(i, 0, m);
        if (typeof m.mid === "number") byMid[m.mid] = {c: c, m: m};
        if (typeof m.mid === "number" && (c.oldest === null || m.mid < c.oldest)) c.oldest = m.mid;
        if (c === current && !history && atBottom) box.scrollTop = box.scrollHeight;
    }

    // A pending own message got its mid (from the send answer or, on another path, the feed).
    function settle(c, m) {
        var i, p, found = false;
        for (i = 0; i < c.items.length; i++) {
            p = c.items[i];
            if (p.id === m.id && typeof p.mid !== "number") {
                c.list.removeChild(p.row);
                c.items.splice(i, 1);
                found = true;
                break;
            }
        }
        delete c.ids[m.id];
        if (!found && c.mids[m.mid] === true) return;
        c.mids[m.mid] = false;
        show(c, m, false);
    }

    function note(c, text) {
        var row = el("div", "msg note", text);
        c.list.appendChild(row);
    }

    on($("compose"), "submit", function (e) {
        stop(e);
        var body = trim($("body").value), c = current;
        if (!body || !c || !chat) return false;
        $("body").value = "";
        var extra = c.sid && c.key !== "@support" ? {sid: c.sid} : null;
        var pending = {from: me, to: c.key, kind: "text", body: body, sentAt: new Date().getTime()};
        var id = chat.send(c.key, body, function (err, res) {
            if (err) {
                pending.row.className = "msg mine failed";
                pending.row.appendChild(el("div", "small error", "Not sent: " + (err.message || err.code)));
                return;
            }
            settle(c, {mid: res.mid, id: res.id, from: me, to: c.key, kind: "text", body: body, sentAt: res.sentAt});
        }, extra);
        pending.id = id;
        c.ids[id] = true;
        show(c, pending, false);
        pending.row.className += " pending";
        return false;
    });

    on($("body"), "keydown", function () {
        var t = new Date().getTime(), to = current && current.key === "@support" ? supportAgent : current && current.key;
        if (!to || !chat || t - lastTypingSent < 3000) return;
        lastTypingSent = t;
        // In a support thread the customer types to the session's agent (typing to @support is not a thing, API.md §6).
        chat.typing(to, function () {});
    });

    function event(e) {
        if (e.kind === "queue") { queued(e); return; }
        if (e.kind !== "typing" || e.from === me) return;
        // The session's agent typing to this customer belongs to the @support thread; typing never opens a conversation.
        var key = e.to && e.to.charAt(0) === "#" ? e.to : e.from === supportAgent && !(convs[e.from] && convs[e.from].items.length) ? "@support" : e.from;
        var c = convs[key];
        if (!c) return;
        c.typing = e.from;
        if (typingTimers[key]) window.clearTimeout(typingTimers[key]);
        typingTimers[key] = window.setTimeout(function () { clearTyping(c); }, 5000);
        if (c === current) setText($("typing"), e.from + " is typing\u2026");
    }

    // The customer's place in the support queue (API.md §7 queue events).
    function queued(e) {
        var c = conv("@support");
        c.queueText = "number " + e.position + " in the queue" + (typeof e.estimatedWaitSeconds === "number" ? ", about " + waitText(e.estimatedWaitSeconds) : "");
        if (c === current) setText($("conv-info"), c.queueText);
    }

    function waitText(seconds) {
        return seconds < 90 ? Math.max(1, Math.round(seconds)) + " s" : Math.round(seconds / 60) + " min";
    }

    function clearTyping(c) {
        c.typing = null;
        if (c === current) setText($("typing"), "");
    }

    // ---- History on scroll-up -----------------------------------------------------------------------

    function loadHistory(c, first) {
        if (c.loading || !c.more) return;
        c.loading = true;
        var box = $("messages"), before = first ? undefined : c.oldest;
        // An agent's customer thread is the session's support thread; anyone else's conversation is named by its key.
        var params = c.sid && c.key !== "@support" ? {"with": "@support", sid: c.sid} : {"with": c.key};
        params.before = before;
        params.limit = 30;
        chat.get("/api/history", params, function (err, res) {
            c.loading = false;
            if (err) { c.more = false; return; }
            var oldHeight = box.scrollHeight, i, ms = res.messages || [], ref;
            for (i = 0; i < ms.length; i++) if (ms[i].kind !== "receipt") show(c, ms[i], true);
            for (i = 0; i < ms.length; i++) if (ms[i].mid > c.lastMid) c.lastMid = ms[i].mid;
            // The marks of own messages as the store has them (delivered or read), then this page's own receipts.
            if (res.receipts) for (ref in res.receipts) if (res.receipts.hasOwnProperty(ref)) markReceipt(Number(ref), res.receipts[ref]);
            readAll(c);
            if (c === current) markRead(c);
            c.more = !!res.more && ms.length > 0;
            if (c === current) box.scrollTop = first ? box.scrollHeight : box.scrollHeight - oldHeight + box.scrollTop;
        });
    }

    on($("messages"), "scroll", function () {
        if (current && $("messages").scrollTop < 20) loadHistory(current, false);
    });

    // ---- Rooms and presence -----------------------------------------------------------------------

    // ---- Rooms: the ones this user is in apart, joined and left by button, member counts kept live ----

    var roomCounts = {};

    function loadRooms() {
        if (!chat) return;
        // Only what the lists show: the rooms this user is in, and the first page of the others to join with a
        // click (any other by name in the form above); never the whole directory, however many rooms exist.
        chat.rooms({mine: "true", limit: 100}, function (err, res) {
            if (err || !res) return;
            var counts = {};
            addRoomCounts(counts, res.rooms);
            chat.rooms({limit: 30}, function (err2, res2) {
                if (!err2 && res2) addRoomCounts(counts, res2.rooms);
                roomCounts = counts;
                drawRooms();
            });
        });
    }

    function addRoomCounts(counts, list) {
        var i;
        list = list || [];
        for (i = 0; i < list.length; i++) counts[String(list[i].room).replace(/^#/, "")] = list[i].members;
    }

    // Several joins and leaves in a row: one reload of the counts.
    function roomsSoon() {
        if (reloadingRooms) return;
        reloadingRooms = window.setTimeout(function () { reloadingRooms = null; loadRooms(); }, 300);
    }

    function roomChanged(name, m) {
        if (m.from === me) { if (m.kind === "join") joined[name] = true; else delete joined[name]; }
        if (typeof roomCounts[name] === "number" && m.from !== me) roomCounts[name] += m.kind === "join" ? 1 : -1;
        drawRooms();
        roomsSoon();
    }

    function drawRooms() {
        var mine = $("rooms-mine"), others = $("rooms"), name, names = [], i;
        for (name in roomCounts) if (roomCounts.hasOwnProperty(name)) names.push(name);
        for (name in joined) if (joined.hasOwnProperty(name) && !roomCounts.hasOwnProperty(name)) names.push(name);
        names.sort();
        while (mine.firstChild) mine.removeChild(mine.firstChild);
        while (others.firstChild) others.removeChild(others.firstChild);
        for (i = 0; i < names.length; i++) (joined[names[i]] ? mine : others).appendChild(roomItem(names[i], !!joined[names[i]]));
        $("rooms-none").style.display = mine.firstChild ? "none" : "block";
    }

    function roomItem(name, member) {
        var li = el("li", member && current && current.key === "#" + name ? "current" : null), button = el("button", member ? "leave" : "join", member ? "Leave" : "Join");
        li.setAttribute("data-room", name);
        button.type = "button";
        button.title = member ? "leave #" + name : "join #" + name;
        li.appendChild(button);
        if (typeof roomCounts[name] === "number") li.appendChild(el("span", "members", roomCounts[name] + (roomCounts[name] === 1 ? " member" : " members")));
        li.appendChild(el("span", "name", "#" + name));
        bindRoom(li, button, name, member);
        return li;
    }

    function bindRoom(li, button, name, member) {
        on(button, "click", function (e) {
            if (e && e.stopPropagation) e.stopPropagation();
            if (e) e.cancelBubble = true;
            if (member) leaveRoom(name); else joinRoom(name);
        });
        if (member) on(li, "click", function () { open("#" + name); });
    }

    function leaveRoom(name) {
        chat.leave(name, function (err, res) {
            var c = conv("#" + name);
            if (err) { note(c, "Could not leave: " + (err.message || err.code)); return; }
            delete joined[name];
            if (res && typeof res.members === "number") roomCounts[name] = res.members;
            note(c, "You left #" + name + ".");
            drawRooms();
        });
    }

    function presenceUnknown() {
        var k;
        for (k in convs) if (convs.hasOwnProperty(k) && convs[k].dot.className !== "dot none") { convs[k].dot.className = "dot off"; convs[k].dot.title = "unknown while offline"; }
        if ($("conv-dot").className !== "dot none") $("conv-dot").className = "dot off";
    }

    function loadPresence() {
        var users = [], i, k;
        if (!chat || chat.state() !== "connected") return;
        for (i = 0; i < order.length; i++) {
            k = order[i];
            if (k.charAt(0) !== "#" && k.charAt(0) !== "@") users.push(k);
        }
        if (!chat || !users.length) return;
        chat.presence(users, function (err, res) {
            if (err || !res) return;
            var j, u, p;
            for (j = 0; j < users.length; j++) {
                u = users[j];
                p = res[u];
                if (!p || !convs[u]) continue;
                convs[u].dot.className = "dot " + (p.online ? "on" : "off");
                convs[u].dot.title = p.online ? "online" : "offline";
                if (current === convs[u]) $("conv-dot").className = convs[u].dot.className;
            }
        });
    }

    window.CometChatPage = {
        chat: function () { return chat; },
        open: open,
        windows: function (recall, edit) { RECALL_SECONDS = recall; EDIT_SECONDS = edit; },
        hasClass: hasClass,
        timeOf: timeOf
    };
})(window, document);
