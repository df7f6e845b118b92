/*
 * The support agent's console (agent.html), ECMAScript 3 and DOM level 1 only, like the chat page: the
 * waiting queue with each customer's place, wait and first words; the agent's own sessions with unread
 * counts; a conversation pane with the customer's context (site-verified and visitor-supplied fields apart);
 * claim, transfer (agents online and their load) and close; canned responses by "/shortcut"; internal notes;
 * an online/away switch; a blinking title and a beep when a customer writes while the tab is in the background.
 * The connection is cometchat.js's, so it resumes by cursor and loses nothing; a session that becomes this
 * agent's arrives with everything written in it before (the library's backlog).
 */
(function (window, document) {
    var CometChat = window.CometChat;
    var dom = CometChat.dom, $ = dom.$, on = dom.on, stop = dom.stop, el = dom.el, setText = dom.setText, clear = dom.clear, trim = dom.trim;
    var server = "";
    var me = null, chat = null, sessions = {}, current = null, queue = [], canned = [], agents = [];
    var alerts = 0, blinkTimer = null, baseTitle = document.title, queueTimer = null;
    // The agent's session, kept by this browser so a reload keeps the console (sessions, queue, open thread).
    var SESSION_KEY = "cometchat-agent-session", OPEN_KEY = "cometchat-agent-open";


    function now() { return new Date().getTime(); }

    function clock(ms) {
        var d = new Date(ms), h = d.getHours(), m = d.getMinutes();
        return (h < 10 ? "0" : "") + h + ":" + (m < 10 ? "0" : "") + m;
    }

    function duration(ms) {
        var s = Math.max(0, Math.floor(ms / 1000)), m = Math.floor(s / 60);
        s = s % 60;
        return m + ":" + (s < 10 ? "0" : "") + s;
    }

    function hidden() { return document.hidden === true || (document.hasFocus && !document.hasFocus()); }

    // ---- Signing in: a password, or a token minted by the operator (agent.html#token=...) ---------------

    on($("login-form"), "submit", function (e) {
        stop(e);
        var name = trim($("login-name").value), password = $("login-password").value;
        setText($("login-error"), "");
        if (!name || !password) { setText($("login-error"), "Name and password, please."); return false; }
        $("login-button").disabled = true;
        CometChat.login(server, name, password, function (err, res) {
            $("login-button").disabled = false;
            if (err) { setText($("login-error"), err.message || "Sign-in failed."); return; }
            CometChat.keep(SESSION_KEY, res.user + " " + res.token);
            start(res.token, res.user, res.cursor);
        });
        return false;
    });

    on($("logout"), "click", function (e) {
        stop(e);
        CometChat.keep(SESSION_KEY, null);
        CometChat.keep(OPEN_KEY, null);
        window.location.hash = "";
        if (!chat) { window.location.reload(); return false; }
        // Revoked on the server too where it can (POST /api/logout); signed out here whatever it answers.
        chat.post("/api/logout", "/api/logout", {}, function () { chat.close(); window.location.reload(); });
        return false;
    });

    function fromHash() {
        var m = /[#&]token=([^&]+)/.exec(window.location.hash || "");
        return m ? decodeURIComponent(m[1]) : null;
    }

    function start(token, user, cursor) {
        me = user;
        $("login").style.display = "none";
        $("console").style.display = "block";
        setText($("me-name"), me);
        chat = CometChat.connect({
            server: server, token: token, since: cursor, user: me,
            onMessage: received, onEvent: eventReceived, onState: connectionState
        });
        loadQueue();
        loadMine();
        loadAgents();
        loadCanned();
        queueTimer = window.setInterval(function () { loadQueue(); loadAgents(); }, 15000);
        window.setInterval(tick, 1000);
        if (CometChat.kept(OPEN_KEY)) open(Number(CometChat.kept(OPEN_KEY)));
    }

    // A token in the fragment, else the session this browser kept: checked, then the console as it was.
    var hashToken = fromHash(), keptSession = CometChat.kept(SESSION_KEY);
    var resumeToken = hashToken || (keptSession && keptSession.indexOf(" ") > 0 ? keptSession.substring(keptSession.indexOf(" ") + 1) : null);
    if (resumeToken) {
        CometChat.jsonp(server + "/api/me", {token: resumeToken}, 15000, function (err, res) {
            if (err) {
                if (!hashToken) CometChat.keep(SESSION_KEY, null);
                setText($("login-error"), hashToken ? err.message || "The token was refused." : "Your sign-in has expired: please sign in again.");
                return;
            }
            if (!hashToken) CometChat.keep(SESSION_KEY, res.user + " " + resumeToken);
            start(resumeToken, res.user, res.cursor);
        });
    }

    function connectionState(state, transport) {
        setText($("conn"), state + (transport ? " via " + transport : ""));
        $("console").setAttribute("data-state", state);
        if (state === "connected") { loadQueue(); loadMine(); }
    }

    // ---- The queue ----------------------------------------------------------------------------------------

    function loadQueue() {
        if (!chat) return;
        chat.get("/api/support/queue", {}, function (err, res) {
            if (err || !res) return;
            queue = res.queue || [];
            drawQueue();
        });
    }

    function drawQueue() {
        var ul = $("queue"), i, q, li, claim;
        clear(ul);
        setText($("queue-count"), String(queue.length));
        for (i = 0; i < queue.length; i++) {
            q = queue[i];
            li = el("li");
            li.setAttribute("data-sid", String(q.sid));
            li.setAttribute("data-position", String(q.position));
            claim = el("button", "claim", "Claim");
            claim.type = "button";
            bindClaim(claim, q.sid);
            li.appendChild(claim);
            li.appendChild(el("span", "wait", duration(now() - q.waitingSince)));
            li.lastChild.setAttribute("data-since", String(q.waitingSince));
            li.appendChild(el("strong", null, "#" + q.position + " " + q.customer));
            if (q.guest) li.appendChild(el("span", "tag guest", "guest"));
            li.appendChild(el("span", "first", q.first || ""));
            bindPreview(li, q);
            ul.appendChild(li);
        }
    }

    function bindClaim(button, sid) {
        on(button, "click", function (e) {
            if (e && e.stopPropagation) e.stopPropagation();
            e.cancelBubble = true;
            claim(sid);
        });
    }

    function bindPreview(li, q) { on(li, "click", function () { open(q.sid, q.customer); }); }

    function claim(sid) {
        chat.post("/api/support/" + sid + "/claim", "/api/support/claim", {sid: sid}, function (err) {
            if (err) { note(session(sid), "Could not claim: " + (err.message || err.code)); open(sid); loadQueue(); return; }
            loadQueue();
            loadMine();
            open(sid);
        });
    }

    // Wait times count up between refreshes.
    function tick() {
        var spans = $("queue").getElementsByTagName("span"), i, since;
        for (i = 0; i < spans.length; i++) {
            since = spans[i].getAttribute("data-since");
            if (since) setText(spans[i], duration(now() - Number(since)));
        }
    }

    function eventReceived(e) {
        if (e.kind === "desk") loadQueue(); // the queue changed: someone joined, was claimed or left
    }

    // ---- Sessions -----------------------------------------------------------------------------------------

    function session(sid, customer) {
        var s = sessions[sid];
        if (!s) {
            s = sessions[sid] = {sid: sid, customer: customer || null, state: null, agent: null, unread: 0, mids: {}, items: [], loaded: false};
            s.list = el("div", "conv");
        }
        if (customer && !s.customer) s.customer = customer;
        return s;
    }

    function loadMine() {
        if (!chat) return;
        chat.get("/api/support/sessions", {mine: "true", state: "open", limit: 100}, function (err, res) {
            if (err || !res) return;
            var list = res.sessions || [], i, r, s, seen = {}, sid;
            for (i = 0; i < list.length; i++) {
                r = list[i];
                s = session(r.sid, r.customer);
                s.state = r.state;
                s.agent = r.agent;
                s.guest = r.guest;
                s.unread = s === current ? 0 : r.unread;
                seen[r.sid] = true;
            }
            for (sid in sessions) if (sessions.hasOwnProperty(sid) && !seen[sid] && sessions[sid].agent === me && sessions[sid].state !== "closed") sessions[sid].state = "gone";
            drawMine();
        });
    }

    function drawMine() {
        var ul = $("mine"), sid, s, li, count, list = [];
        for (sid in sessions) if (sessions.hasOwnProperty(sid)) {
            s = sessions[sid];
            if (s.agent === me && (s.state === "assigned" || s === current)) list.push(s);
        }
        list.sort(function (a, b) { return b.sid - a.sid; });
        clear(ul);
        for (var i = 0; i < list.length; i++) {
            s = list[i];
            li = el("li", s === current ? "current" : null);
            li.setAttribute("data-sid", String(s.sid));
            count = el("span", "count", String(s.unread));
            if (!s.unread) count.style.display = "none";
            li.appendChild(count);
            li.appendChild(document.createTextNode(s.customer + " "));
            if (s.guest) li.appendChild(el("span", "tag guest", "guest"));
            if (s.state === "closed") li.appendChild(el("span", "tag", "closed"));
            bindOpen(li, s.sid);
            ul.appendChild(li);
        }
    }

    function bindOpen(li, sid) { on(li, "click", function () { open(sid); }); }

    function open(sid, customer) {
        var s = session(sid, customer), box = $("thread");
        current = s;
        CometChat.keep(OPEN_KEY, String(sid));
        s.unread = 0;
        clear(box);
        box.appendChild(s.list);
        $("console").setAttribute("data-open", String(sid));
        drawMine();
        drawHead();
        loadAgents();
        loadDetails(s);
        if (!s.loaded) loadThread(s);
        else { box.scrollTop = box.scrollHeight; markRead(s); }
        try { $("body").focus(); } catch (e) {}
    }

    // Everything of the session so far, notes included: the transcript answers agents of the session.
    function loadThread(s) {
        chat.get("/api/support/" + s.sid + "/transcript", {}, function (err, res) {
            if (err || !res) { note(s, "Could not load the conversation: " + (err && err.message)); return; }
            s.loaded = true;
            var ms = res.messages || [], i;
            for (i = 0; i < ms.length; i++) show(s, ms[i]);
            if (s === current) { $("thread").scrollTop = $("thread").scrollHeight; markRead(s); }
        });
    }

    function loadDetails(s) {
        chat.get("/api/support/sessions/" + s.sid, {}, function (err, res) {
            if (err || !res) return;
            s.customer = res.customer;
            s.state = res.state;
            s.agent = res.agent;
            s.guest = res.guest;
            s.details = res;
            if (s === current) { drawHead(); drawContext(s); }
        });
    }

    function drawHead() {
        var s = current, mineOpen = s && s.agent === me && s.state === "assigned";
        if (!s) return;
        setText($("title"), (s.customer || "session") + " \u2013 session " + s.sid);
        setText($("session-state"), s.state === "queued" ? "waiting" : s.state === "assigned" ? (s.agent === me ? "yours" : "with " + s.agent) : (s.state || ""));
        $("actions").style.display = "inline";
        $("claim").style.display = s.state === "queued" ? "inline" : "none";
        $("transfer").style.display = $("transfer-to").style.display = mineOpen ? "inline" : "none";
        $("close").style.display = mineOpen ? "inline" : "none";
        $("body").disabled = $("send").disabled = !(mineOpen || $("mode").value === "note");
    }

    function drawContext(s) {
        var d = s.details || {}, ctx = d.context || {visitor: {}, site: {}};
        setText($("ctx-customer"), (s.customer || "") + (s.guest ? " (guest)" : "") + (d.openedAt ? ", since " + clock(d.openedAt) : ""));
        fields($("ctx-site"), ctx.site || {}, "nothing signed by the site");
        fields($("ctx-visitor"), ctx.visitor || {}, "nothing sent by the browser");
        setText($("ctx-contact"), d.contact || "none left");
        setText($("ctx-rating"), d.rating ? d.rating.score + " of 5" + (d.rating.comment ? ": " + d.rating.comment : "") : "-");
    }

    function fields(dl, map, none) {
        var k, any = false;
        clear(dl);
        for (k in map) if (map.hasOwnProperty(k)) {
            any = true;
            dl.appendChild(el("dt", null, k));
            dl.appendChild(el("dd", null, map[k]));
        }
        if (!any) dl.appendChild(el("dd", "small", none));
    }

    // ---- Messages -----------------------------------------------------------------------------------------

    function received(m) {
        if (typeof m.sid !== "number" || m.kind === "receipt") return;
        var customer = m.from === "@support" ? m.to : m.to === "@support" ? (m.kind === "note" ? null : m.from) : m.to;
        var s = session(m.sid, customer), fresh = !s.mids[m.mid];
        show(s, m);
        if (m.kind === "session") {
            var to = /^(assigned|transferred) to (.+)$/.exec(m.body);
            if (to) { s.agent = to[2]; s.state = "assigned"; }
            if (/^closed by /.test(m.body)) s.state = "closed";
            drawMine();
            if (s === current) { drawHead(); loadDetails(s); }
            loadMine();
            loadQueue();
            return;
        }
        if (m.kind === "rating" && s === current) loadDetails(s);
        if (fresh && m.kind === "text" && m.from === s.customer) {
            if (s === current && !hidden()) markRead(s);
            else {
                s.unread += 1;
                drawMine();
            }
            if (hidden() && !m.backlog) alert(s);
        }
    }

    // Adds m to the session's thread in mid order, once: the transcript, the backlog and the feed may all carry it.
    function show(s, m) {
        if (typeof m.mid === "number") {
            if (s.mids[m.mid]) return;
            s.mids[m.mid] = true;
        }
        var row = render(s, m), i = s.items.length, box = $("thread");
        var atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 30;
        while (i > 0 && typeof m.mid === "number" && typeof s.items[i - 1].mid === "number" && s.items[i - 1].mid > m.mid) i--;
        if (i === s.items.length) s.list.appendChild(row); else s.list.insertBefore(row, s.items[i].row);
        m.row = row;
        s.items.splice(i, 0, m);
        if (s === current && atBottom) box.scrollTop = box.scrollHeight;
    }

    function render(s, m) {
        var row, bubble, mine = m.from === me;
        if (m.kind === "session") row = el("div", "msg note", m.body);
        else if (m.kind === "rating") row = el("div", "msg note", m.from + " rated the session " + m.body);
        else if (m.kind === "note") row = el("div", "msg note internal", "Internal note by " + m.from + ": " + m.body);
        else {
            row = el("div", "msg " + (m.from === s.customer ? "theirs" : "mine") + (m.backlog ? " backlog" : ""));
            bubble = el("span", "bubble");
            if (!mine) bubble.appendChild(el("span", "from", m.from));
            bubble.appendChild(el("span", "body", m.body));
            bubble.appendChild(el("span", "meta", clock(m.sentAt || now())));
            row.appendChild(bubble);
        }
        if (typeof m.mid === "number") row.setAttribute("data-mid", String(m.mid));
        row.setAttribute("data-kind", m.kind || "text");
        return row;
    }

    function note(s, text) { s.list.appendChild(el("div", "msg note", text)); }

    // The newest customer message read: the server's unread count for this session drops to zero.
    function markRead(s) {
        var i, m;
        for (i = s.items.length - 1; i >= 0; i--) {
            m = s.items[i];
            if (m.kind === "text" && m.from === s.customer && typeof m.mid === "number") {
                if (!s.readUpTo || s.readUpTo < m.mid) { s.readUpTo = m.mid; chat.receipt(m.mid, "read", function () {}); }
                return;
            }
        }
    }

    // ---- Writing: replies, notes, canned responses --------------------------------------------------------

    on($("mode"), "change", drawHead);

    on($("compose"), "submit", function (e) {
        stop(e);
        if (expandCanned()) return false;
        var body = trim($("body").value), s = current;
        if (!body || !s) return false;
        $("body").value = "";
        hideSuggest();
        if ($("mode").value === "note") {
            chat.post("/api/support/" + s.sid + "/notes", "/api/support/note", {sid: s.sid, body: body}, function (err, res) {
                if (err) { note(s, "Note not saved: " + (err.message || err.code)); return; }
                show(s, {mid: res.mid, id: res.id, from: me, to: "@support", kind: "note", body: body, sid: s.sid, sentAt: res.sentAt});
            });
            return false;
        }
        chat.send(s.customer, body, function (err, res) {
            if (err) { note(s, "Not sent: " + (err.message || err.code)); return; }
            show(s, {mid: res.mid, id: res.id, from: me, to: s.customer, kind: "text", body: body, sid: s.sid, sentAt: res.sentAt});
        }, {sid: s.sid});
        return false;
    });

    // "/ship" shows the matching canned responses; Tab or Enter puts the first one in its place.
    on($("body"), "keyup", function (e) {
        var key = e && (e.keyCode || e.which);
        if (key === 9 || key === 13) return;
        suggest();
    });

    on($("body"), "input", suggest);

    on($("body"), "keydown", function (e) {
        var key = e && (e.keyCode || e.which);
        if (key === 9 && expandCanned()) return stop(e);
        return true;
    });

    function matches() {
        var m = /^\/(\S*)$/.exec($("body").value), list = [], i;
        if (!m) return list;
        for (i = 0; i < canned.length; i++) if (canned[i].shortcut.toLowerCase().indexOf(m[1].toLowerCase()) === 0) list.push(canned[i]);
        return list;
    }

    function suggest() {
        var list = matches(), box = $("suggest"), i, row;
        clear(box);
        if (!list.length) { box.style.display = "none"; return; }
        for (i = 0; i < list.length; i++) {
            row = el("div", i === 0 ? "first" : null, "/" + list[i].shortcut + "  " + list[i].body);
            row.setAttribute("data-shortcut", list[i].shortcut);
            bindSuggestion(row, list[i]);
            box.appendChild(row);
        }
        box.style.display = "block";
    }

    function bindSuggestion(row, c) { on(row, "click", function () { $("body").value = c.body; hideSuggest(); $("body").focus(); }); }

    function hideSuggest() { $("suggest").style.display = "none"; }

    function expandCanned() {
        var list = matches();
        if (!list.length) return false;
        $("body").value = list[0].body;
        hideSuggest();
        return true;
    }

    function loadCanned() {
        chat.get("/api/support/canned", {}, function (err, res) { if (!err && res) drawCanned(res.canned || []); });
    }

    function drawCanned(list) {
        var ul = $("canned"), i, li, del;
        canned = list;
        clear(ul);
        for (i = 0; i < list.length; i++) {
            li = el("li");
            li.setAttribute("data-shortcut", list[i].shortcut);
            del = el("span", "del", "\u00d7");
            del.title = "delete";
            bindDelete(del, list[i].shortcut);
            li.appendChild(del);
            li.appendChild(el("strong", null, "/" + list[i].shortcut));
            li.appendChild(document.createTextNode(" " + list[i].body));
            ul.appendChild(li);
        }
    }

    function bindDelete(span, shortcut) {
        on(span, "click", function () {
            chat.post("/api/support/canned/" + encodeURIComponent(shortcut), "/api/support/canned/delete", {shortcut: shortcut}, function (err, res) {
                if (!err && res) drawCanned(res.canned || []);
            });
        });
    }

    on($("canned-form"), "submit", function (e) {
        stop(e);
        var shortcut = trim($("canned-shortcut").value).replace(/^\//, ""), body = trim($("canned-body").value);
        if (!shortcut || !body) return false;
        chat.post("/api/support/canned", "/api/support/canned/save", {shortcut: shortcut, body: body}, function (err, res) {
            if (err) { window.alert(err.message || err.code); return; }
            $("canned-shortcut").value = $("canned-body").value = "";
            drawCanned(res.canned || []);
        });
        return false;
    });

    // ---- Claim, transfer, close, online/away ---------------------------------------------------------------

    on($("claim"), "click", function () { if (current) claim(current.sid); });

    on($("close"), "click", function () {
        var s = current;
        if (!s) return;
        chat.post("/api/support/" + s.sid + "/close", "/api/support/close", {sid: s.sid}, function (err) {
            if (err) note(s, "Could not close: " + (err.message || err.code));
        });
    });

    on($("transfer"), "click", function () {
        var s = current, to = $("transfer-to").value;
        if (!s || !to) return;
        chat.post("/api/support/" + s.sid + "/transfer", "/api/support/transfer", {sid: s.sid, to: to}, function (err) {
            if (err) note(s, "Could not transfer: " + (err.message || err.code));
        });
    });

    function loadAgents() {
        if (!chat) return;
        chat.get("/api/support/agents", {}, function (err, res) {
            if (err || !res) return;
            agents = res.agents || [];
            var select = $("transfer-to"), keep = select.value, i, a, option;
            clear(select);
            for (i = 0; i < agents.length; i++) {
                a = agents[i];
                if (a.agent === me) { $("status").value = a.away ? "away" : "online"; continue; }
                option = el("option", null, a.agent + " (" + (a.away ? "away" : a.online ? "online" : "offline") + ", " + a.load + " open)");
                option.value = a.agent;
                select.appendChild(option);
            }
            if (keep) select.value = keep;
        });
    }

    on($("status"), "change", function () {
        chat.post("/api/support/status", "/api/support/status", {state: $("status").value}, function (err, res) {
            if (err) { window.alert(err.message || err.code); return; }
            $("status").value = res.away ? "away" : "online";
            $("console").setAttribute("data-away", res.away ? "true" : "false");
            loadAgents();
        });
    });

    // ---- Getting the agent's attention while the tab is in the background ----------------------------------

    function alert(s) {
        alerts += 1;
        beep();
        if (blinkTimer) return;
        var on_ = false;
        blinkTimer = window.setInterval(function () {
            on_ = !on_;
            document.title = on_ ? "(" + alerts + ") " + s.customer + " wrote" : baseTitle;
        }, 1000);
        document.title = "(" + alerts + ") " + s.customer + " wrote";
    }

    function quiet() {
        if (!blinkTimer) return;
        window.clearInterval(blinkTimer);
        blinkTimer = null;
        alerts = 0;
        document.title = baseTitle;
        if (current) markRead(current);
    }

    function beep() {
        var Ctx = window.AudioContext || window.webkitAudioContext, ctx, osc;
        if (!Ctx) return;
        try {
            ctx = new Ctx();
            osc = ctx.createOscillator();
            osc.frequency.value = 880;
            osc.connect(ctx.destination);
            osc.start(0);
            osc.stop(ctx.currentTime + 0.15);
        } catch (e) {}
    }

    on(window, "focus", quiet);
    on(document, "visibilitychange", function () { if (!document.hidden) quiet(); });

    window.CometChatConsole = {
        chat: function () { return chat; },
        open: open,
        alerts: function () { return alerts; }
    };
})(window, document);
