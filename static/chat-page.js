/*
 * The chat page (index.html). ECMAScript 3 and DOM level 1 only, so it runs where cometchat.js runs:
 * no JSON, Array.prototype.indexOf/forEach, Function.prototype.bind, textContent or querySelector.
 */
(function (window, document) {
    var CometChat = window.CometChat;
    // Always this page's own origin: a server named by the URL would receive the password and run its answer here.
    var server = "";
    var me = null, token = null, chat = null;
    var convs = {}, order = [], current = null;
    var receipted = {}, marks = {}, typingTimers = {}, lastTypingSent = 0, presenceTimer = null, roomsTimer = null;
    var MARK_SENT = "\u2713", MARK_DELIVERED = "\u2713\u2713";

    function $(id) { return document.getElementById(id); }

    function param(name) {
        var m = new RegExp("[?&]" + name + "=([^&#]*)").exec(window.location.search);
        return m ? decodeURIComponent(m[1].replace(/\+/g, " ")) : null;
    }

    function on(el, name, fn) {
        if (el.addEventListener) el.addEventListener(name, fn, false);
        else el.attachEvent("on" + name, function () { return fn.call(el, window.event); });
    }

    function stop(e) {
        if (e && e.preventDefault) e.preventDefault();
        if (e) e.returnValue = false;
        return false;
    }

    function el(tag, className, text) {
        var e = document.createElement(tag);
        if (className) e.className = className;
        if (text !== undefined && text !== null) e.appendChild(document.createTextNode(String(text)));
        return e;
    }

    function setText(e, text) {
        while (e.firstChild) e.removeChild(e.firstChild);
        e.appendChild(document.createTextNode(text));
    }

    function trim(s) { return String(s || "").replace(/^\s+|\s+$/g, ""); }

    function hasClass(e, c) { return (" " + e.className + " ").indexOf(" " + c + " ") >= 0; }

    function timeOf(ms) {
        var d = new Date(ms), h = d.getHours(), m = d.getMinutes();
        return (h < 10 ? "0" : "") + h + ":" + (m < 10 ? "0" : "") + m;
    }

    // ---- Login ------------------------------------------------------------------------------------

    function transportChoice() {
        return param("transport") || $("login-transport").value || "auto";
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
            start(res);
        });
        return false;
    });

    if (param("transport")) $("login-transport").value = param("transport");

    on($("logout"), "click", function (e) {
        stop(e);
        if (chat) chat.close();
        window.location.reload();
        return false;
    });

    function start(res) {
        me = res.user;
        token = res.token;
        $("login").style.display = "none";
        $("app").style.display = "block";
        setText($("me-name"), me);
        chat = CometChat.connect({
            server: server, token: token, since: res.cursor, transport: transportChoice(), user: me,
            onMessage: received, onEvent: event, onState: state
        });
        loadRooms();
        roomsTimer = window.setInterval(loadRooms, 30000);
        presenceTimer = window.setInterval(loadPresence, 15000);
        if (param("with")) open(param("with"));
        // A customer waiting in the support queue sees their place at once, not only at its next change.
        chat.get("/api/support/mine", {}, function (err, res) {
            if (!err && res && res.state === "queued" && typeof res.position === "number") queued({position: res.position, estimatedWaitSeconds: res.estimatedWaitSeconds});
        });
    }

    // ---- Connection state -------------------------------------------------------------------------

    function state(s, transport) {
        var text = s + (transport ? " via " + transport : ""), banner = $("banner");
        setText($("status-text"), text);
        $("status-dot").className = "dot " + (s === "connected" ? "on" : "off");
        $("app").setAttribute("data-state", s);
        $("app").setAttribute("data-transport", transport || "");
        if (s === "connected") { banner.style.display = "none"; return; }
        banner.className = "banner" + (s === "unauthorized" || s === "closed" ? " bad" : "");
        setText(banner, s === "reconnecting" ? "Offline: reconnecting\u2026 Messages you send are retried."
            : s === "unauthorized" ? "Your sign-in expired: sign in again." : s === "closed" ? "Disconnected." : "Connecting\u2026");
        banner.style.display = "block";
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
        c = convs[key] = {key: key, mids: {}, ids: {}, items: [], oldest: null, more: true, loaded: false, unread: 0, sid: null, online: null};
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
        c.unread = 0;
        c.count.style.display = "none";
        setText($("conv-title"), key);
        setText($("conv-info"), c.queueText || (c.sid ? "support session " + c.sid : ""));
        setText($("typing"), "");
        $("conv-dot").className = c.dot.className;
        while (box.firstChild) box.removeChild(box.firstChild);
        box.appendChild(c.list);
        $("body").disabled = false;
        $("send").disabled = false;
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
        chat.join(name, function (err) {
            if (err) { note(conv("#" + name), "Could not join: " + (err.message || err.code)); open("#" + name); return; }
            open("#" + name);
            loadRooms();
        });
    }

    // ---- Messages ---------------------------------------------------------------------------------

    function received(m) {
        if (m.kind === "receipt") { markReceipt(m.ref, m.body); return; }
        var c = conv(keyOf(m));
        if (m.sid !== undefined && m.sid !== null && c.key !== "@support") c.sid = m.sid;
        if (m.kind === "session" && c.key === "@support" && !/^(queued|offline)/.test(m.body)) c.queueText = null;
        if (c === current) setText($("conv-info"), c.queueText || (c.sid ? "support session " + c.sid : ""));
        show(c, m, false);
        if (m.from !== me && m.kind === "text") {
            clearTyping(c);
            if (c === current && !document.hidden) acknowledge(m, "read");
            else {
                acknowledge(m, "delivered");
                c.unread += 1;
                setText(c.count, String(c.unread));
                c.count.style.display = "inline";
            }
        }
    }

    // Receipts only for direct and support messages: a room would send one per member per message.
    function acknowledge(m, st) {
        if (m.to && m.to.charAt(0) === "#") return;
        var k = m.mid + ":" + st;
        if (receipted[k] || receipted[m.mid + ":read"]) return;
        receipted[k] = true;
        chat.receipt(m.mid, st, function () {});
    }

    function readAll(c) {
        var i, m;
        for (i = 0; i < c.items.length; i++) {
            m = c.items[i];
            if (m.from !== me && m.kind === "text" && typeof m.mid === "number") acknowledge(m, "read");
        }
    }

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
            if (!mine && (c.key.charAt(0) === "#" || c.key === "@support")) bubble.appendChild(el("span", "from", m.from));
            bubble.appendChild(el("span", "body", m.body));
            bubble.appendChild(el("span", "meta", timeOf(m.sentAt || new Date().getTime())));
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
        var t = new Date().getTime();
        if (!current || !chat || current.key === "@support" || t - lastTypingSent < 3000) return;
        lastTypingSent = t;
        chat.typing(current.key, function () {});
    });

    function event(e) {
        if (e.kind === "queue") { queued(e); return; }
        if (e.kind !== "typing" || e.from === me) return;
        var key = e.to && e.to.charAt(0) === "#" ? e.to : e.from, c = conv(key);
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
        if (c.loading || !c.more || c.key === "@support") return;
        c.loading = true;
        var box = $("messages"), before = first ? undefined : c.oldest;
        chat.history(c.key, before, 30, function (err, res) {
            c.loading = false;
            if (err) { c.more = false; return; }
            var oldHeight = box.scrollHeight, i, ms = res.messages || [];
            for (i = 0; i < ms.length; i++) if (ms[i].kind !== "receipt") show(c, ms[i], true);
            c.more = !!res.more && ms.length > 0;
            if (c === current) box.scrollTop = first ? box.scrollHeight : box.scrollHeight - oldHeight + box.scrollTop;
        });
    }

    on($("messages"), "scroll", function () {
        if (current && $("messages").scrollTop < 20) loadHistory(current, false);
    });

    // ---- Rooms and presence -----------------------------------------------------------------------

    function loadRooms() {
        if (!chat) return;
        // Only what the list shows: the rooms this user is in (others are joined by name in the form above).
        chat.rooms({mine: "true", limit: 100}, function (err, res) {
            if (err || !res) return;
            var list = res.rooms || res, ul = $("rooms"), i, r, name, li;
            if (!list.length && list.length !== 0) return;
            while (ul.firstChild) ul.removeChild(ul.firstChild);
            for (i = 0; i < list.length; i++) {
                r = list[i];
                name = typeof r === "string" ? r : (r.name || r.room);
                if (!name) continue;
                name = String(name).replace(/^#/, "");
                li = el("li");
                li.setAttribute("data-room", name);
                if (typeof r === "object" && (r.members !== undefined || r.count !== undefined)) li.appendChild(el("span", "members", String(r.members !== undefined ? r.members : r.count)));
                li.appendChild(document.createTextNode("#" + name));
                bindRoom(li, name);
                ul.appendChild(li);
            }
        });
    }

    function bindRoom(li, name) { on(li, "click", function () { joinRoom(name); }); }

    function loadPresence() {
        var users = [], i, k;
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
        hasClass: hasClass
    };
})(window, document);
