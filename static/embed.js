/*
 * The CometChat widget for any other site, by JSONP only (no CORS needed, works on every origin):
 *
 *   <script src="http://chat.example.com/embed.js" data-server="http://chat.example.com"
 *           data-token="(optional: a token your backend minted)" data-to="@support"
 *           data-title="Support"></script>
 *
 * Without data-token the visitor is a guest: the widget asks the server for a guest identity (/api/guest)
 * the first time the panel opens and keeps it in this browser (localStorage, else a cookie). On every page of
 * the shop it shows the thread so far (its history), and the panel stays open from page to page if it was.
 * Errors are told in a shopper's words; a page that gets a new token for its customer hands it over with
 * CometChatWidget.setToken(token) (or by changing data-token), and the widget carries on. With the
 * support desk (data-to="@support", the default) it shows whether the desk is online, the visitor's place
 * in the queue, an email form while the desk is offline, and a rating once the session is closed.
 *
 * ECMAScript 3, no dependencies on the host page. Everything it adds is prefixed "cometchat-w-".
 */
(function (window, document) {
    if (window.CometChatWidget) return;

    // The tag that embeds this very script names the server; nothing else on the page (or in its URL) may.
    function findScript() {
        if (document.currentScript) return document.currentScript;
        var scripts = document.getElementsByTagName("script"), i;
        for (i = scripts.length - 1; i >= 0; i--) {
            if (/embed\.js(\?|#|$)/.test(scripts[i].src || "") || scripts[i].getAttribute("data-cometchat") !== null) return scripts[i];
        }
        return null;
    }

    var tag = findScript();
    function attr(name, fallback) {
        var v = tag ? tag.getAttribute("data-" + name) : null;
        return v === null || v === "" ? fallback : v;
    }
    var scriptOrigin = tag && /^(https?:)?\/\/[^\/]+/i.exec(tag.src) ? /^(https?:)?\/\/[^\/]+/i.exec(tag.src)[0] : "";
    var server = attr("server", scriptOrigin).replace(/\/+$/, "");
    var to = attr("to", "@support");
    var desk = to === "@support";
    var title = attr("title", desk ? "Support" : "Chat with " + to);
    var storeKey = "cometchat-guest-" + server.replace(/[^A-Za-z0-9]/g, "_");
    var me = null, chat = null, shown = {}, pendingIds = {}, starting = false;
    var state = "idle", mine = null, rated = {}, contactSaved = {}, mineTimer = null;

    var css = [
        "#cometchat-w-button{position:fixed;right:20px;bottom:20px;z-index:2147483000;padding:10px 16px;border:0;border-radius:20px;background:#2b5797;color:#fff;font:14px Arial,sans-serif;cursor:pointer;box-shadow:0 2px 8px rgba(0,0,0,.3)}",
        "#cometchat-w-panel{position:fixed;right:20px;bottom:70px;z-index:2147483000;width:300px;height:400px;background:#fff;border:1px solid #ccd;border-radius:6px;font:13px/1.4 Arial,sans-serif;color:#222;box-shadow:0 2px 12px rgba(0,0,0,.25);overflow:hidden;text-align:left}",
        "#cometchat-w-head{height:20px;padding:8px 10px;background:#2b5797;color:#fff;font-weight:bold}",
        "#cometchat-w-state{float:right;font-weight:normal;font-size:11px}",
        "#cometchat-w-state .cometchat-w-dot{display:inline-block;width:8px;height:8px;border-radius:4px;background:#bbb;margin-right:4px}",
        "#cometchat-w-panel[data-desk=online] .cometchat-w-dot{background:#5c5}",
        "#cometchat-w-status{position:absolute;top:36px;left:0;right:0;padding:4px 10px;background:#eef3fb;color:#334;font-size:12px;border-bottom:1px solid #dde}",
        "#cometchat-w-log{position:absolute;top:37px;left:0;right:0;bottom:44px;padding:6px 10px;overflow:auto}",
        "#cometchat-w-form{position:absolute;left:0;right:0;bottom:0;height:28px;padding:8px 10px;margin:0;border-top:1px solid #dde}",
        "#cometchat-w-input{width:200px;padding:4px;border:1px solid #bbc}",
        "#cometchat-w-send,#cometchat-w-panel .cometchat-w-go{padding:4px 8px;border:1px solid #2b5797;background:#2b5797;color:#fff;cursor:pointer}",
        "#cometchat-w-panel .cometchat-w-box{margin:6px 0;padding:6px;border:1px solid #dde;border-radius:4px;background:#f7f9fc;font-size:12px}",
        "#cometchat-w-panel .cometchat-w-box input{width:150px;padding:3px;border:1px solid #bbc;margin:3px 4px 0 0}",
        "#cometchat-w-panel .cometchat-w-star{padding:2px 6px;margin:3px 2px 0 0;border:1px solid #bbc;background:#fff;cursor:pointer}",
        ".cometchat-w-msg{margin:4px 0}",
        ".cometchat-w-msg span{display:inline-block;max-width:85%;padding:4px 8px;border-radius:6px;background:#eef1f6;word-wrap:break-word}",
        ".cometchat-w-mine{text-align:right}",
        ".cometchat-w-mine span{background:#dcecff;text-align:left}",
        ".cometchat-w-note{text-align:center;color:#778;font-size:11px;margin:4px 0}",
        ".cometchat-w-error{color:#b00;font-size:12px}",
        ".cometchat-w-msg img{display:block;max-width:180px;max-height:180px;border-radius:4px}",
        ".cometchat-w-recalled{font-style:italic;color:#889}"
    ].join("\n");

    function $(id) { return document.getElementById(id); }

    function el(tagName, id, className, text) {
        var e = document.createElement(tagName);
        if (id) e.id = id;
        if (className) e.className = className;
        if (text !== undefined && text !== null) e.appendChild(document.createTextNode(String(text)));
        return e;
    }

    function on(e, name, fn) {
        if (e.addEventListener) e.addEventListener(name, fn, false);
        else e.attachEvent("on" + name, function () { return fn.call(e, window.event); });
    }

    function stop(e) {
        if (e && e.preventDefault) e.preventDefault();
        if (e) e.returnValue = false;
        return false;
    }

    function setText(e, text) {
        while (e.firstChild) e.removeChild(e.firstChild);
        e.appendChild(document.createTextNode(text));
    }

    function trim(s) { return String(s || "").replace(/^\s+|\s+$/g, ""); }

    function addStyle() {
        var style = document.createElement("style");
        style.type = "text/css";
        (document.getElementsByTagName("head")[0] || document.documentElement).appendChild(style);
        if (style.styleSheet) style.styleSheet.cssText = css; else style.appendChild(document.createTextNode(css));
    }

    // ---- The guest identity and whether the panel is open, kept in this browser (cometchat.js keep/kept) ----

    function loadGuest() {
        var raw = window.CometChat.kept(storeKey);
        if (!raw || raw.indexOf(" ") < 0) return null;
        return {user: raw.substring(0, raw.indexOf(" ")), token: raw.substring(raw.indexOf(" ") + 1)};
    }

    function saveGuest(g) { window.CometChat.keep(storeKey, g.user + " " + g.token); }

    function forgetGuest() { window.CometChat.keep(storeKey, null); }

    // Open on one page of the shop, open on the next (this tab only: sessionStorage, where the browser has it).
    function panelOpen(open) {
        try {
            if (open === undefined) return !!(window.sessionStorage && window.sessionStorage.getItem(storeKey + "-open"));
            if (open) window.sessionStorage.setItem(storeKey + "-open", "1"); else window.sessionStorage.removeItem(storeKey + "-open");
        } catch (e) {}
        return false;
    }

    // ---- What went wrong, in a shopper's words --------------------------------------------------------

    function friendly(err) {
        var code = err && err.code, status = err && err.status;
        if (code === "unauthorized" || status === 401) return "Your chat session has expired. Please reload the page to carry on chatting.";
        if (code === "rate_limited" || status === 429) return "You are sending messages a little too fast. Please wait a moment and try again.";
        if (code === "too_large" || status === 413) return "That message is too long. Please make it shorter.";
        if (code === "unavailable" || status >= 500) return "The chat is having trouble right now. Please try again in a moment.";
        if (!status) return "We can't reach the chat right now. Please check your connection; we'll keep trying.";
        return "Sorry, that didn't work. Please try again.";
    }

    function showProblem(text) {
        var panel = $("cometchat-w-panel");
        if (!panel) return;
        setStatus(text);
        panel.setAttribute("data-problem", text ? "true" : "false");
    }

    // ---- The panel ------------------------------------------------------------------------------------

    function build() {
        addStyle();
        var button = el("button", "cometchat-w-button", null, title);
        button.type = "button";
        var panel = el("div", "cometchat-w-panel");
        panel.style.display = "none";
        var head = el("div", "cometchat-w-head", null, title);
        var st = el("span", "cometchat-w-state");
        st.appendChild(el("span", null, "cometchat-w-dot"));
        st.appendChild(el("span", "cometchat-w-state-text", null, ""));
        head.appendChild(st);
        panel.appendChild(head);
        var status = el("div", "cometchat-w-status");
        status.style.display = "none";
        panel.appendChild(status);
        panel.appendChild(el("div", "cometchat-w-log"));
        var form = el("form", "cometchat-w-form");
        var input = el("input", "cometchat-w-input");
        input.type = "text";
        input.maxLength = 1500;
        input.setAttribute("autocomplete", "off");
        form.appendChild(input);
        form.appendChild(document.createTextNode(" "));
        var send = el("button", "cometchat-w-send", null, "Send");
        send.type = "submit";
        form.appendChild(send);
        panel.appendChild(form);
        document.body.appendChild(panel);
        document.body.appendChild(button);

        on(button, "click", function () {
            panel.style.display = panel.style.display === "none" ? "block" : "none";
            panelOpen(panel.style.display === "block");
            if (panel.style.display === "block") {
                start();
                try { input.focus(); } catch (e) {}
            }
        });
        on(form, "submit", function (e) {
            stop(e);
            var body = trim(input.value);
            if (!body || !chat) return false;
            input.value = "";
            var row = line({from: me, to: to, kind: "text", body: body}, true);
            row.className += " cometchat-w-pending";
            var id = chat.send(to, body, function (err, res) {
                if (err) { row.appendChild(el("div", null, "cometchat-w-error", "Not sent. " + friendly(err))); return; }
                row.className = "cometchat-w-msg cometchat-w-mine";
                row.setAttribute("data-mid", String(res.mid));
                shown[res.mid] = true;
                place(row, res.mid);
                if (desk && res.sid && (!mine || mine.sid !== res.sid || mine.state === "closed")) refreshMine();
            }, desk && (!mine || mine.state === "none" || mine.state === "closed") ? visitorContext() : null);
            pendingIds[id] = true;
            return false;
        });
        setHeader();
    }

    // Sent with the message that opens a session: where the visitor is, for the agent's context panel.
    function visitorContext() {
        var nav = window.navigator || {};
        return {
            page: String(window.location.href).substring(0, 300),
            referrer: String(document.referrer || "").substring(0, 300),
            lang: nav.language || nav.userLanguage || "",
            ua: String(nav.userAgent || "").substring(0, 200)
        };
    }

    // A message's bubble: its text, an image shown inline (a size-limited preview), a file as a link, or the recall.
    function bubble(m) {
        var span = el("span", null, m.recalled ? "cometchat-w-recalled" : null, m.recalled ? "This message was recalled" : null), img, a;
        if (m.recalled) return span;
        if (m.file && /^image\/(png|jpeg|gif|webp)$/.test(m.file.type)) {
            img = document.createElement("img");
            img.src = chat.fileUrl(m.file.id);
            img.alt = m.file.name;
            span.appendChild(img);
        } else if (m.file) {
            a = el("a", null, null, m.file.name);
            a.href = chat.fileUrl(m.file.id);
            span.appendChild(a);
        }
        if (m.body || !m.file) span.appendChild(document.createTextNode(m.body + (m.editedAt ? " (edited)" : "")));
        return span;
    }

    // A recall or an edit of a message shown here: its bubble is drawn again.
    function change(m) {
        var rows = $("cometchat-w-log").childNodes, i, row;
        for (i = 0; i < rows.length; i++) {
            row = rows[i];
            if (row.getAttribute("data-mid") !== String(m.ref) || !row.firstChild) continue;
            row.replaceChild(bubble(m.kind === "recall" ? {recalled: true} : {body: m.body, editedAt: m.sentAt, file: row.cometchatFile}), row.firstChild);
        }
    }

    function line(m, mine) {
        var log = $("cometchat-w-log"), row;
        if (m.kind === "session") row = el("div", null, "cometchat-w-note", m.body);
        else if (m.kind === "rating") row = el("div", null, "cometchat-w-note", "You rated this conversation " + m.body.split(" ")[0] + " of 5");
        else {
            row = el("div", null, "cometchat-w-msg" + (mine ? " cometchat-w-mine" : ""));
            row.appendChild(bubble(m));
            row.cometchatFile = m.file || null;
        }
        if (typeof m.mid === "number") row.setAttribute("data-mid", String(m.mid));
        place(row, m.mid);
        log.scrollTop = log.scrollHeight;
        return row;
    }

    // Rows stand in mid order (a send's answer can come after later feed messages); pending ones and boxes last.
    function place(row, mid) {
        var log = $("cometchat-w-log"), rows = log.childNodes, i, other;
        if (row.parentNode) row.parentNode.removeChild(row);
        if (typeof mid === "number") {
            for (i = 0; i < rows.length; i++) {
                other = rows[i].getAttribute("data-mid");
                if (other === null || other === "" || Number(other) > mid) { log.insertBefore(row, rows[i]); return; }
            }
        }
        log.appendChild(row);
    }

    // Only the thread with data-to: the support desk's session, or direct messages with that user.
    function belongs(m) {
        if (desk) return m.to === "@support" || m.from === "@support" || (m.sid !== undefined && m.sid !== null);
        return m.from === to || m.to === to;
    }

    // ---- The desk's state: online, queue, offline email, rating -------------------------------------------

    function setHeader() {
        var panel = $("cometchat-w-panel");
        if (!panel) return;
        // The header speaks a shopper's words, never the library's state names ("unauthorized").
        var text = state === "connected" ? (desk && mine ? (mine.offline ? "offline" : "online") : "online")
            : state === "reconnecting" ? "reconnecting\u2026" : state === "connecting" ? "connecting\u2026"
            : state === "unauthorized" ? "signed out" : state === "closed" ? "disconnected" : "";
        setText($("cometchat-w-state-text"), text);
        panel.setAttribute("data-state", state);
        panel.setAttribute("data-desk", state === "connected" && desk && mine && !mine.offline ? "online" : "offline");
    }

    function setStatus(text) {
        var status = $("cometchat-w-status"), log = $("cometchat-w-log");
        if (!text) { status.style.display = "none"; log.style.top = "37px"; return; }
        setText(status, text);
        status.style.display = "block";
        log.style.top = "62px";
    }

    function waitText(seconds) {
        return seconds < 90 ? Math.max(1, Math.round(seconds)) + " seconds" : Math.round(seconds / 60) + " minutes";
    }

    function showQueue(position, estimate) {
        setStatus("You are number " + position + " in the queue" + (typeof estimate === "number" ? " (about " + waitText(estimate) + ")" : "") + ".");
        $("cometchat-w-panel").setAttribute("data-position", String(position));
    }

    function refreshMine() {
        if (!chat || !desk) return;
        chat.get("/api/support/mine", {}, function (err, res) {
            if (err || !res) return;
            mine = res;
            setHeader();
            if (res.state === "queued" && typeof res.position === "number") showQueue(res.position, res.estimatedWaitSeconds);
            else if (res.state !== "queued") { setStatus(null); $("cometchat-w-panel").removeAttribute("data-position"); }
            if (res.offline && res.state !== "assigned") setStatus("We're offline right now (" + res.reason + "). Write your question" +
                (res.state === "queued" ? "; leave your email and we'll answer there." : " and leave your email: we'll answer there."));
            if (res.offline && res.state === "queued") askContact(res.sid);
            if (res.state === "closed" && res.rated === false) askRating(res.sid);
        });
    }

    function askContact(sid) {
        if (contactSaved[sid] || $("cometchat-w-contact")) return;
        var box = el("form", "cometchat-w-contact", "cometchat-w-box", "Your email, for our answer:");
        box.appendChild(el("br"));
        var email = el("input", "cometchat-w-email");
        email.type = "text";
        email.maxLength = 254;
        box.appendChild(email);
        var save = el("button", "cometchat-w-email-save", "cometchat-w-go", "Save");
        save.type = "submit";
        box.appendChild(save);
        var error = el("div", null, "cometchat-w-error", "");
        box.appendChild(error);
        on(box, "submit", function (e) {
            stop(e);
            chat.post("/api/support/" + sid + "/contact", "/api/support/contact", {sid: sid, email: trim(email.value)}, function (err) {
                if (err) { setText(error, err.message || "Not saved."); return; }
                contactSaved[sid] = true;
                box.parentNode.removeChild(box);
                line({kind: "session", body: "We'll email our answer to " + trim(email.value) + "."}, false);
            });
            return false;
        });
        place(box, null);
    }

    function askRating(sid) {
        if (rated[sid] || $("cometchat-w-rating")) return;
        var box = el("div", "cometchat-w-rating", "cometchat-w-box", "How did we do?");
        box.appendChild(el("br"));
        var comment = el("input", "cometchat-w-comment");
        comment.type = "text";
        comment.maxLength = 500;
        var i;
        for (i = 1; i <= 5; i++) box.appendChild(star(i));
        box.appendChild(el("br"));
        box.appendChild(comment);
        var error = el("div", null, "cometchat-w-error", "");
        box.appendChild(error);
        function star(score) {
            var b = el("button", null, "cometchat-w-star", score + "\u2605");
            b.type = "button";
            b.setAttribute("data-score", String(score));
            on(b, "click", function () {
                chat.post("/api/support/" + sid + "/rating", "/api/support/rate", {sid: sid, score: score, comment: trim(comment.value)}, function (err) {
                    if (err && err.code !== "conflict") { setText(error, err.message || "Not sent."); return; }
                    rated[sid] = true;
                    if (box.parentNode) box.parentNode.removeChild(box);
                    line({kind: "session", body: "Thank you for your rating!"}, false);
                });
            });
            return b;
        }
        place(box, null);
        $("cometchat-w-log").scrollTop = $("cometchat-w-log").scrollHeight;
    }

    // ---- Connecting -----------------------------------------------------------------------------------

    function start() {
        if (chat || starting) return;
        var token = attr("token", null);
        if (token) { connect(token, attr("user", null)); return; }
        var guest = loadGuest();
        if (guest) { connect(guest.token, guest.user); return; }
        starting = true;
        state = "connecting";
        setHeader();
        window.CometChat.guest(server, function (err, res) {
            starting = false;
            if (err) { state = "failed"; setHeader(); showProblem(friendly(err)); return; }
            saveGuest(res);
            connect(res.token, res.user);
        }, {jsonp: true});
    }

    // The thread so far, shown on every page of the shop: what came before this page's connection began.
    function loadThread() {
        chat.get("/api/history", {"with": to, limit: 50}, function (err, res) {
            if (err || !res) return;
            var ms = res.messages || [], i, m;
            for (i = 0; i < ms.length; i++) {
                m = ms[i];
                if (shown[m.mid] || !belongs(m)) continue;
                shown[m.mid] = true;
                line(m, m.from === me);
            }
            $("cometchat-w-panel").setAttribute("data-thread", "loaded");
        });
    }

    function connect(token, user) {
        me = user;
        var first = true;
        chat = window.CometChat.connect({
            server: server, token: token, user: user || undefined,
            transport: "jsonp", jsonp: true,
            onMessage: function (m) {
                if (m.kind === "recall" || m.kind === "edit") { change(m); return; }
                if (m.kind === "receipt" || m.kind === "read" || shown[m.mid] || !belongs(m)) return;
                if (m.from === me && m.id && pendingIds[m.id]) return;
                shown[m.mid] = true;
                line(m, m.from === me);
                if (m.from !== me && (m.kind === "text" || m.kind === "file")) chat.receipt(m.mid, "read", function () {});
                if (desk && m.kind === "session") {
                    if (/^closed by /.test(m.body)) askRating(m.sid);
                    refreshMine();
                }
                if (desk && m.kind === "rating") rated[m.sid] = true;
            },
            onEvent: function (e) {
                if (e.kind === "queue" && desk) showQueue(e.position, e.estimatedWaitSeconds);
            },
            onState: function (s) {
                var was = state;
                state = s;
                setHeader();
                if (s === "connected" && was !== "connected") {
                    refreshMine();
                    showProblem(null);
                    // After the connection took its cursor: history has everything before it, the feed the rest.
                    if (first) { first = false; loadThread(); }
                }
                if (s === "reconnecting") showProblem(friendly({status: 0}));
                if (s !== "unauthorized") return;
                // A guest identity the server no longer accepts (expired, or another server): start afresh.
                if (!attr("token", null)) { forgetGuest(); chat = null; start(); return; }
                // The shop's token expired: say so, and carry on as soon as the page hands over a new one.
                showProblem(friendly({code: "unauthorized"}));
                watchToken(token);
            }
        });
        // Whether an agent is online changes without a message to this visitor: look again now and then.
        if (desk && !mineTimer) mineTimer = window.setInterval(function () { if (state === "connected") refreshMine(); }, 60000);
        // A data-token without data-user: ask the server whose token it is, to tell own messages apart.
        if (!me) chat.get("/api/me", {}, function (err, res) { if (!err && res) me = res.user; });
    }

    // A new token from the page (setToken, or a changed data-token): the same thread, carried on.
    function setToken(token, user) {
        if (!token) return;
        if (tag) tag.setAttribute("data-token", token);
        if (user && tag) tag.setAttribute("data-user", user);
        if (chat) chat.close();
        chat = null;
        showProblem(null);
        connect(token, user || attr("user", null));
    }

    function watchToken(expired) {
        var timer = window.setInterval(function () {
            var now = attr("token", null);
            if (state !== "unauthorized") { window.clearInterval(timer); return; }
            if (now && now !== expired) { window.clearInterval(timer); setToken(now); }
        }, 1000);
    }

    function ready() {
        build();
        // A site that minted a token for its logged-in customer connects at once, and so does a guest who chatted
        // before (so the thread and its replies are there on this page too); a new guest only when the panel opens.
        if (attr("token", null) || loadGuest()) start();
        if (panelOpen()) { $("cometchat-w-panel").style.display = "block"; start(); }
    }

    function whenLibrary(fn) {
        if (window.CometChat && window.CometChat.connect) { fn(); return; }
        var s = document.createElement("script");
        s.src = server + "/cometchat.js?v=3";
        s.onload = s.onreadystatechange = function () {
            if (s.readyState && s.readyState !== "loaded" && s.readyState !== "complete") return;
            s.onload = s.onreadystatechange = null;
            fn();
        };
        (document.getElementsByTagName("head")[0] || document.documentElement).appendChild(s);
    }

    function whenBody(fn) {
        if (document.body) fn(); else window.setTimeout(function () { whenBody(fn); }, 20);
    }

    // After the host page's load event: a parked JSONP poll is a pending script, and a pending script
    // would hold the shop's load event (and its spinner) for as long as the poll waits.
    function whenLoaded(fn) {
        if (document.readyState === "complete") { fn(); return; }
        on(window, "load", function () { window.setTimeout(fn, 0); });
    }

    window.CometChatWidget = {server: server, to: to, open: function () { $("cometchat-w-button").click(); }, setToken: setToken};
    whenLoaded(function () { whenLibrary(function () { whenBody(ready); }); });
})(window, document);
