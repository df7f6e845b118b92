/*
 * CometChat client library. ECMAScript 3 only, so it runs from IE6 to today's browsers:
 * no let/const, arrow functions, promises, fetch, getters, trailing commas, and no JSON assumed.
 *
 *   CometChat.login(server, name, password, function (err, res) {});   // res: {token, user, cursor}
 *   var chat = CometChat.connect({server: "", token: res.token, since: res.cursor, transport: "auto",
 *       onMessage: function (m) {}, onEvent: function (e) {}, onState: function (state, transport) {}});
 *   chat.send(to, body, function (err, res) {});  chat.receipt(ref, state, cb);  chat.typing(to, cb);
 *   chat.cursor();  chat.close();
 *   CometChat.guest(server, function (err, res) {});   // res: {token, user}: a visitor without an account
 *
 * Support agents: when a session becomes theirs ("assigned to" / "transferred to" them), everything the
 * customer (and earlier agents) wrote in it before is delivered first, each message with backlog: true,
 * then the session message itself, so no client ever shows an agent a session without its question.
 *
 * The cursor is the last delivered mid: every transport resumes from it, and nothing at or below it
 * is delivered again, so no message is lost or shown twice across reconnects and transport changes.
 */
(function (window) {
    var CometChat = window.CometChat || {};
    window.CometChat = CometChat;
    if (CometChat.version) return;
    CometChat.version = "1";

    var document = window.document;
    var counter = 0;
    // JSONP callbacks and forever-frame callbacks live here: the server only calls identifier paths.
    CometChat._cb = {};
    // The forever frame's default callback is cometchat.receive; we always name our own.
    CometChat.transports = ["ws", "sse", "stream", "iframe", "longpoll", "jsonp"];

    function now() { return new Date().getTime(); }

    function nextId() { counter += 1; return counter; }

    function randomId() {
        var s = "", i;
        for (i = 0; i < 4; i++) s += Math.floor((1 + Math.random()) * 0x10000).toString(16).substring(1);
        return s + now().toString(16);
    }

    function inArray(list, item) {
        var i;
        for (i = 0; i < list.length; i++) if (list[i] === item) return i;
        return -1;
    }

    function encode(params) {
        var parts = [], k;
        for (k in params) {
            if (params.hasOwnProperty(k) && params[k] !== undefined && params[k] !== null) {
                parts.push(encodeURIComponent(k) + "=" + encodeURIComponent(String(params[k])));
            }
        }
        return parts.join("&");
    }

    function extend(target, source) {
        var k;
        for (k in source) if (source.hasOwnProperty(k)) target[k] = source[k];
        return target;
    }

    function withQuery(url, params) {
        var q = encode(params);
        return q ? url + (url.indexOf("?") < 0 ? "?" : "&") + q : url;
    }

    // json2.js's checks: after removing escapes, strings, literals and open brackets, only
    // structural characters may remain; then eval cannot run anything.
    var rxDangerous = /[\u0000\u00ad\u0600-\u0604\u070f\u17b4\u17b5\u200c-\u200f\u2028-\u202f\u2060-\u206f\ufeff\ufff0-\uffff]/g;
    var rxOne = /^[\],:{}\s]*$/;
    var rxTwo = /\\(?:["\\\/bfnrt]|u[0-9a-fA-F]{4})/g;
    var rxThree = /"[^"\\\n\r]*"|true|false|null|-?\d+(?:\.\d*)?(?:[eE][+\-]?\d+)?/g;
    var rxFour = /(?:^|:|,)(?:\s*\[)+/g;

    function parseJSON(text) {
        var json = window.JSON;
        if (json && typeof json.parse === "function") return json.parse(text);
        text = String(text).replace(rxDangerous, function (a) {
            return "\\u" + ("0000" + a.charCodeAt(0).toString(16)).slice(-4);
        });
        if (rxOne.test(text.replace(rxTwo, "@").replace(rxThree, "]").replace(rxFour, ""))) {
            return eval("(" + text + ")");
        }
        throw new SyntaxError("CometChat: invalid JSON");
    }
    CometChat.parseJSON = parseJSON;

    function on(el, name, fn) {
        if (el.addEventListener) el.addEventListener(name, fn, false);
        else if (el.attachEvent) el.attachEvent("on" + name, fn);
    }

    function removeNode(el) {
        if (el && el.parentNode) el.parentNode.removeChild(el);
    }

    function origin(url) {
        var m = /^(https?:)?\/\/([^\/?#]+)/i.exec(url);
        if (!m) return null;
        return ((m[1] || window.location.protocol) + "//" + m[2]).toLowerCase();
    }

    function isSameOrigin(server) {
        var o = origin(server);
        if (!o) return true;
        var here = window.location.protocol + "//" + window.location.host;
        return o === here.toLowerCase();
    }

    function trimServer(server) {
        server = server || "";
        while (server.length && server.charAt(server.length - 1) === "/") server = server.substring(0, server.length - 1);
        return server;
    }

    function corsXhr() {
        if (!window.XMLHttpRequest) return false;
        try { return "withCredentials" in new window.XMLHttpRequest(); } catch (e) { return false; }
    }

    function newXhr() {
        if (window.XMLHttpRequest) return new window.XMLHttpRequest();
        try { return new window.ActiveXObject("Msxml2.XMLHTTP"); } catch (e1) {}
        try { return new window.ActiveXObject("Microsoft.XMLHTTP"); } catch (e2) {}
        return null;
    }

    function hasXhr() {
        return !!(window.XMLHttpRequest || window.ActiveXObject);
    }

    function errorOf(status, code, message) {
        return {status: status, code: code, message: message};
    }

    // How a server is reached from this page: "xhr" (same origin), "cors", "xdr" (IE8/9) or "jsonp".
    function channelFor(server, jsonpOnly) {
        if (jsonpOnly) return "jsonp";
        if (isSameOrigin(server)) return hasXhr() ? "xhr" : "jsonp";
        if (corsXhr()) return "cors";
        if (window.XDomainRequest && window.location.protocol === (origin(server) || "").split("//")[0]) return "xdr";
        return "jsonp";
    }

    // ---- JSONP ----------------------------------------------------------------------------------

    function jsonp(url, params, timeoutMs, cb) {
        var name = "c" + nextId(), done = false, script = document.createElement("script");
        var head = document.getElementsByTagName("head")[0] || document.documentElement;
        var timer = null;
        function finish(err, data) {
            if (done) return;
            done = true;
            if (timer) window.clearTimeout(timer);
            // A late answer must find a harmless function, not a ReferenceError.
            CometChat._cb[name] = function () { try { delete CometChat._cb[name]; } catch (e) { CometChat._cb[name] = undefined; } };
            script.onload = script.onerror = null;
            removeNode(script);
            if (err) cb(err, null);
            else if (data && data.error) cb(data.error, null);
            else cb(null, data);
        }
        CometChat._cb[name] = function (data) { finish(null, data); };
        timer = window.setTimeout(function () { finish(errorOf(0, "timeout", "The server did not answer in time."), null); }, timeoutMs);
        // Script errors (network, 4xx/5xx bodies that are not JSONP) never call back: catch them here.
        script.onerror = function () { finish(errorOf(0, "network", "The script request failed."), null); };
        // Loaded but the callback did not run (not JSONP). Old IE's readystatechange can fire before
        // the script runs, so there only the timeout decides.
        script.onload = function () {
            window.setTimeout(function () { finish(errorOf(0, "network", "The script loaded without an answer."), null); }, 0);
        };
        script.type = "text/javascript";
        script.charset = "utf-8";
        script.async = true;
        script.src = withQuery(url, extend(extend({}, params), {callback: "CometChat._cb." + name, _: nextId()}));
        head.insertBefore(script, head.firstChild);
        return {abort: function () { finish(errorOf(0, "aborted", "Aborted."), null); }};
    }
    CometChat.jsonp = jsonp;

    // ---- XHR / CORS / XDomainRequest ---------------------------------------------------------------

    function parseProblem(status, text) {
        var p = null;
        try { p = parseJSON(text); } catch (e) {}
        if (p && p.error) return p.error;
        if (p && p.code) return errorOf(status, p.code, p.detail || p.title || "");
        return errorOf(status, status === 0 ? "network" : "http_" + status, text || "Request failed.");
    }

    function xhrRequest(method, url, body, headers, timeoutMs, cb) {
        var xhr = newXhr(), done = false, timer = null, k;
        function finish(err, data) {
            if (done) return;
            done = true;
            if (timer) window.clearTimeout(timer);
            xhr.onreadystatechange = function () {};
            cb(err, data);
        }
        xhr.open(method, url, true);
        for (k in headers) if (headers.hasOwnProperty(k)) xhr.setRequestHeader(k, headers[k]);
        xhr.onreadystatechange = function () {
            if (xhr.readyState !== 4) return;
            var status = 0, text = "";
            try { status = xhr.status; text = xhr.responseText; } catch (e) {}
            if (status >= 200 && status < 300) {
                var data = null;
                try { data = parseJSON(text); } catch (e2) { finish(errorOf(status, "bad_json", "Unreadable answer."), null); return; }
                finish(null, data);
            } else {
                finish(parseProblem(status, text), null);
            }
        };
        timer = window.setTimeout(function () {
            try { xhr.abort(); } catch (e) {}
            finish(errorOf(0, "timeout", "The server did not answer in time."), null);
        }, timeoutMs);
        xhr.send(body);
        return {abort: function () { try { xhr.abort(); } catch (e) {} finish(errorOf(0, "aborted", "Aborted."), null); }};
    }

    function xdrRequest(method, url, body, timeoutMs, cb) {
        var xdr = new window.XDomainRequest(), done = false, timer = null;
        function finish(err, data) {
            if (done) return;
            done = true;
            if (timer) window.clearTimeout(timer);
            cb(err, data);
        }
        xdr.onload = function () {
            var data = null;
            try { data = parseJSON(xdr.responseText); } catch (e) { finish(errorOf(0, "bad_json", "Unreadable answer."), null); return; }
            finish(null, data);
        };
        // XDomainRequest cannot read the status of a failed answer.
        xdr.onerror = function () { finish(errorOf(0, "network", "The request failed."), null); };
        xdr.ontimeout = xdr.onerror;
        xdr.onprogress = function () {};
        xdr.open(method, url);
        timer = window.setTimeout(function () {
            try { xdr.abort(); } catch (e) {}
            finish(errorOf(0, "timeout", "The server did not answer in time."), null);
        }, timeoutMs);
        xdr.send(body || "");
        return {abort: function () { try { xdr.abort(); } catch (e) {} finish(errorOf(0, "aborted", "Aborted."), null); }};
    }

    // ---- File uploads ------------------------------------------------------------------------------
    // XHR with FormData where the browser has it (the token in a header on the same origin, in the query across
    // origins, so no preflight); else the form that holds the file input is posted into a hidden iframe, whose
    // answer page hands the JSON back by postMessage (any origin) or by calling us directly (same origin).

    function xhrUpload(server, channel, token, file, timeoutMs, cb) {
        var fd = new window.FormData(), headers = {};
        fd.append("file", file, file.name || "file");
        if (channel === "xhr") headers.Authorization = "Bearer " + token;
        var url = channel === "xhr" ? server + "/api/files" : withQuery(server + "/api/files", {token: token});
        return xhrRequest("POST", url, fd, headers, timeoutMs, cb);
    }

    function frameUpload(server, token, form, timeoutMs, cb) {
        var name = "u" + nextId(), callback = "CometChat._cb." + name, prefix = "cometchat:" + callback + ":";
        var frameName = "cometchat-upload-" + name, frame, done = false, timer = null;
        function finish(err, data) {
            if (done) return;
            done = true;
            if (timer) window.clearTimeout(timer);
            CometChat._cb[name] = function () {};
            try { form.reset(); } catch (e) {}
            // Leave the frame a moment: removing it while its page runs can abort that page in old IE.
            window.setTimeout(function () { removeNode(frame); try { delete CometChat._cb[name]; } catch (e) { CometChat._cb[name] = undefined; } }, 0);
            if (err) cb(err, null); else if (data && data.error) cb(data.error, null); else cb(null, data);
        }
        CometChat._cb[name] = function (data) { finish(null, data); };
        on(window, "message", function (e) {
            if (done || typeof e.data !== "string" || e.data.indexOf(prefix) !== 0) return;
            var data = null;
            try { data = parseJSON(e.data.substring(prefix.length)); } catch (x) { return; }
            finish(null, data);
        });
        // Old IE names a frame only when it is created with its name.
        try { frame = document.createElement("<iframe name=\"" + frameName + "\">"); } catch (e) { frame = document.createElement("iframe"); frame.name = frameName; }
        frame.style.position = "absolute";
        frame.style.left = "-9999px";
        frame.style.width = frame.style.height = "1px";
        frame.tabIndex = -1;
        (document.body || document.documentElement).appendChild(frame);
        form.method = "post";
        form.enctype = form.encoding = "multipart/form-data";
        form.target = frameName;
        form.action = withQuery(server + "/api/files", {token: token, callback: callback});
        timer = window.setTimeout(function () { finish(errorOf(0, "timeout", "The upload did not finish in time."), null); }, timeoutMs);
        form.submit();
        return {abort: function () { finish(errorOf(0, "aborted", "Aborted."), null); }};
    }

    // One API call over whatever reaches the server. op: {post: "/api/messages", get: "/api/send"}
    // for writes (JSONP can only GET), {get: "/api/poll"} for reads.
    function call(server, channel, token, op, params, timeoutMs, cb) {
        var p = extend({}, params), headers = {}, url;
        if (channel === "jsonp") {
            if (token) p.token = token;
            return jsonp(server + (op.get || op.post), p, timeoutMs, cb);
        }
        if (channel === "xdr") {
            if (token) p.token = token;
            if (op.post) return xdrRequest("POST", server + op.post, encode(p), timeoutMs, cb);
            return xdrRequest("GET", withQuery(server + op.get, extend(p, {_: nextId()})), null, timeoutMs, cb);
        }
        // Same origin: the token goes in a header, out of logs. Cross origin it goes in the query or
        // form, which keeps the request "simple" and spares a CORS preflight per call.
        if (token && channel === "xhr") headers.Authorization = "Bearer " + token;
        else if (token) p.token = token;
        if (op.post) {
            headers["Content-Type"] = "application/x-www-form-urlencoded";
            return xhrRequest("POST", server + op.post, encode(p), headers, timeoutMs, cb);
        }
        url = withQuery(server + op.get, p);
        return xhrRequest("GET", url, null, headers, timeoutMs, cb);
    }

    var ops = {
        login: {post: "/api/login", get: "/api/login"},
        me: {get: "/api/me"},
        send: {post: "/api/messages", get: "/api/send"},
        receipt: {post: "/api/receipts", get: "/api/receipt"},
        typing: {post: "/api/typing", get: "/api/typing"},
        history: {get: "/api/history"},
        rooms: {get: "/api/rooms"},
        presence: {get: "/api/presence"},
        conversations: {get: "/api/conversations"},
        markRead: {post: "/api/read", get: "/api/markread"},
        search: {get: "/api/search"},
        blocks: {get: "/api/blocks"}
    };

    // ---- What this browser keeps across visits: localStorage, else a cookie (IE7 and older, some private modes) ----
    // value null forgets key. The server never reads cookies, so a kept token is not sent as a credential.

    CometChat.keep = function (key, value) {
        try {
            if (window.localStorage) {
                if (value === null) window.localStorage.removeItem(key); else window.localStorage.setItem(key, value);
                return;
            }
        } catch (e) {}
        document.cookie = key + "=" + (value === null ? "; max-age=0" : encodeURIComponent(value) + "; max-age=" + 30 * 86400) + "; path=/";
    };

    CometChat.kept = function (key) {
        var m;
        try { if (window.localStorage) return window.localStorage.getItem(key); } catch (e) {}
        m = new RegExp("(?:^|; )" + key + "=([^;]*)").exec(document.cookie || "");
        return m ? decodeURIComponent(m[1]) : null;
    };

    CometChat.guest = function (server, cb, options) {
        server = trimServer(server);
        call(server, channelFor(server, options && options.jsonp), null, {post: "/api/guest", get: "/api/guest"}, {}, 15000, cb || function () {});
    };

    CometChat.login = function (server, name, password, cb, options) {
        server = trimServer(server);
        var channel = channelFor(server, options && options.jsonp);
        call(server, channel, null, ops.login, {name: name, password: password}, 15000, cb || function () {});
    };

    // ---- Transports -------------------------------------------------------------------------------
    // Each starts one connection for conn and reports through conn's hooks:
    //   h.opened()        the server answered (first byte / open / first poll answer)
    //   h.message(m)      a feed message or ephemeral event
    //   h.ended(err)      the connection is over (err null: a clean end, e.g. Stream:MaxSeconds)
    // and returns {stop: function () {}}. Long polls loop on their own until stopped or failed.

    function streamParams(conn, extra) {
        var p = extend({since: conn.cursorValue, client: conn.client}, extra || {});
        if (conn.channel !== "xhr") p.token = conn.token;
        return p;
    }

    function wsUrl(conn) {
        var base = conn.server || (window.location.protocol + "//" + window.location.host);
        base = base.replace(/^http/i, "ws");
        return withQuery(base + "/ws", {since: conn.cursorValue, token: conn.token, client: conn.client});
    }

    var transports = {};

    transports.ws = {
        usable: function () { return !!window.WebSocket; },
        start: function (conn, h) {
            var ws, closed = false;
            try { ws = new window.WebSocket(wsUrl(conn)); } catch (e) { window.setTimeout(function () { h.ended(errorOf(0, "network", String(e))); }, 0); return {stop: function () {}}; }
            ws.onopen = function () { h.opened(); };
            ws.onmessage = function (ev) {
                var m;
                try { m = parseJSON(ev.data); } catch (e) { return; }
                if (m && m.reply === undefined) h.message(m);
            };
            ws.onclose = function () { if (!closed) { closed = true; h.ended(errorOf(0, "closed", "The socket closed.")); } };
            ws.onerror = function () {};
            return {stop: function () { closed = true; ws.onclose = ws.onmessage = ws.onopen = null; try { ws.close(); } catch (e) {} }};
        }
    };

    transports.sse = {
        usable: function () { return !!window.EventSource; },
        start: function (conn, h) {
            var url = withQuery(conn.server + "/api/events", streamParams(conn, {token: conn.token}));
            var es = new window.EventSource(url), closed = false;
            function receive(ev) {
                var m;
                try { m = parseJSON(ev.data); } catch (e) { return; }
                h.message(m);
            }
            es.onopen = function () { h.opened(); };
            es.onmessage = receive;
            es.addEventListener("typing", receive, false);
            es.addEventListener("queue", receive, false);
            es.addEventListener("desk", receive, false);
            es.addEventListener("heartbeat", receive, false);
            // EventSource would reconnect by itself from Last-Event-ID; we reconnect from our own
            // cursor instead, so one rule covers every transport.
            es.onerror = function () {
                if (closed) return;
                closed = true;
                es.close();
                h.ended(errorOf(0, "closed", "The event stream closed."));
            };
            return {stop: function () { closed = true; es.onopen = es.onmessage = es.onerror = null; es.close(); }};
        }
    };

    transports.stream = {
        usable: function (conn) { return conn.channel === "xhr" || conn.channel === "cors"; },
        start: function (conn, h) {
            var xhr = newXhr(), seen = 0, stopped = false, opened = false;
            var url = withQuery(conn.server + "/api/stream", streamParams(conn, {format: "ndjson"}));
            function drain() {
                var text, nl, line;
                try { text = xhr.responseText; } catch (e) { return; }
                if (!text) return;
                if (!opened) { opened = true; h.opened(); }
                while (!stopped && (nl = text.indexOf("\n", seen)) >= 0) {
                    line = text.substring(seen, nl);
                    seen = nl + 1;
                    if (line.replace(/\s+/g, "").length === 0) continue;
                    try { h.message(parseJSON(line)); } catch (e2) {}
                }
            }
            xhr.open("GET", url, true);
            if (conn.channel === "xhr") xhr.setRequestHeader("Authorization", "Bearer " + conn.token);
            xhr.onreadystatechange = function () {
                if (stopped) return;
                var status = 0;
                if (xhr.readyState >= 2) { try { status = xhr.status; } catch (e) {} }
                if (xhr.readyState >= 2 && status === 200 && !opened) { opened = true; h.opened(); }
                if (xhr.readyState === 3 && status === 200) drain();
                if (xhr.readyState === 4) {
                    if (status === 200) { drain(); stopped = true; h.ended(null); } else {
                        stopped = true;
                        var text = "";
                        try { text = xhr.responseText; } catch (e3) {}
                        h.ended(parseProblem(status, text));
                    }
                }
            };
            // Chromium and Firefox fire progress for each chunk even when readystatechange is coalesced.
            if ("onprogress" in xhr) xhr.onprogress = function () { if (!stopped) drain(); };
            xhr.send(null);
            return {stop: function () { stopped = true; xhr.onreadystatechange = function () {}; try { xhr.abort(); } catch (e) {} }};
        }
    };

    transports.iframe = {
        usable: function (conn) { return conn.channel === "xhr"; },
        start: function (conn, h) {
            var name = "f" + nextId(), frame = document.createElement("iframe"), stopped = false, opened = false, watch;
            CometChat._cb[name] = function (m) {
                if (stopped) return;
                if (!opened) { opened = true; h.opened(); }
                h.message(m);
            };
            var url = withQuery(conn.server + "/api/stream", streamParams(conn, {format: "html", callback: "CometChat._cb." + name, token: conn.token}));
            function cleanup() {
                stopped = true;
                if (watch) window.clearInterval(watch);
                CometChat._cb[name] = function () {};
                frame.onload = null;
                try { frame.src = "about:blank"; } catch (e) {}
                removeNode(frame);
                window.setTimeout(function () { try { delete CometChat._cb[name]; } catch (e) { CometChat._cb[name] = undefined; } }, 0);
            }
            // The padding arrives before any message: once the frame's document is the stream's, the
            // server has answered.
            watch = window.setInterval(function () {
                if (opened || stopped) return;
                try {
                    var win = frame.contentWindow, type = win.document.contentType;
                    // An error answer (problem+json) also lands in the frame: only an HTML stream counts.
                    if (win.location.href.indexOf("/api/stream") >= 0 && (type === undefined || type === "text/html")) { opened = true; h.opened(); }
                } catch (e) {}
            }, 200);
            function loaded() {
                if (stopped) return;
                var err = opened ? null : errorOf(0, "closed", "The stream frame ended.");
                cleanup();
                h.ended(err);
            }
            if (frame.attachEvent && !frame.addEventListener) frame.attachEvent("onload", loaded); else frame.onload = loaded;
            frame.style.position = "absolute";
            frame.style.left = "-9999px";
            frame.style.width = frame.style.height = "1px";
            frame.tabIndex = -1;
            frame.src = url;
            (document.body || document.documentElement).appendChild(frame);
            return {stop: function () { if (!stopped) cleanup(); }};
        }
    };

    // A long poll loop over a request function; the first request answers at once (timeout=0), so
    // the connection is known to work before it parks for 25 s.
    function pollLoop(conn, h, channel) {
        var stopped = false, current = null, first = true;
        function next() {
            if (stopped) return;
            var timeout = first ? 0 : conn.pollSeconds;
            var params = {since: conn.cursorValue, timeout: timeout, client: conn.client};
            current = call(conn.server, channel, conn.token, {get: "/api/poll"}, params, (timeout + 15) * 1000, function (err, res) {
                current = null;
                if (stopped) return;
                if (err) { stopped = true; h.ended(err); return; }
                if (first) { first = false; h.opened(); }
                var i, ms = res.messages || [], evs = res.events || [];
                for (i = 0; i < ms.length; i++) h.message(ms[i]);
                for (i = 0; i < evs.length; i++) h.message(evs[i]);
                if (typeof res.cursor === "number" && res.cursor > conn.cursorValue) conn.cursorValue = res.cursor;
                // A superseded poll means another poll of ours took its place: wait a moment.
                if (res.superseded) window.setTimeout(next, 1000); else next();
            });
        }
        next();
        return {stop: function () { stopped = true; if (current) current.abort(); }};
    }

    transports.longpoll = {
        usable: function (conn) { return conn.channel !== "jsonp"; },
        start: function (conn, h) { return pollLoop(conn, h, conn.channel); }
    };

    transports.jsonp = {
        usable: function () { return true; },
        start: function (conn, h) { return pollLoop(conn, h, "jsonp"); }
    };

    CometChat.transportUsable = function (name, server) {
        var t = transports[name];
        return !!t && t.usable({channel: channelFor(trimServer(server))});
    };

    // ---- Connection -----------------------------------------------------------------------------------

    function Connection(opts) {
        this.server = trimServer(opts.server);
        this.token = opts.token;
        this.opts = opts;
        this.channel = channelFor(this.server, opts.jsonp);
        this.client = opts.client || "tab-" + randomId();
        this.cursorValue = typeof opts.since === "number" ? opts.since : null;
        this.user = opts.user || null;
        this.held = null;
        this.pollSeconds = opts.pollSeconds || 25;
        this.firstByteMs = opts.firstByteMs || 6000;
        this.attempt = 0;
        this.closed = false;
        this.state = null;
        this.current = null;
        this.transportName = null;
        this.broken = {};
        this.candidates = this.pickCandidates(opts.transport || "auto");
        this.index = 0;
    }

    Connection.prototype.pickCandidates = function (wanted) {
        var list = [], i, name;
        if (wanted !== "auto") return [wanted];
        for (i = 0; i < CometChat.transports.length; i++) {
            name = CometChat.transports[i];
            if (transports[name].usable(this)) list.push(name);
        }
        return list;
    };

    Connection.prototype.setState = function (state) {
        var same = this.state === state && this.reported === this.transportName;
        this.state = state;
        this.reported = this.transportName;
        if (!same && this.opts.onState) this.opts.onState(state, this.transportName);
    };

    Connection.prototype.deliver = function (m) {
        if (!m || typeof m !== "object") return;
        if (m.kind === "heartbeat") {
            if (typeof m.cursor === "number" && m.cursor > this.cursorValue) this.cursorValue = m.cursor;
            return;
        }
        if (typeof m.mid !== "number") {
            // Ephemeral events (typing) carry no mid and never move the cursor.
            if (this.opts.onEvent) this.opts.onEvent(m); else if (this.opts.onMessage) this.opts.onMessage(m);
            return;
        }
        if (m.mid <= this.cursorValue) return;
        this.cursorValue = m.mid;
        this.emit(m);
    };

    // Hands a feed message to the page, unless a session's backlog is being fetched: then it waits its turn,
    // so the page sees the backlog, the session message, and what came after, in that order.
    Connection.prototype.emit = function (m) {
        if (this.held) { this.held.push(m); return; }
        if (m.kind === "session" && m.from === "@support" && typeof m.sid === "number" && /^(assigned|transferred) to /.test(m.body || "")) {
            if (this.user === null) { this.held = [m]; this.whoAmI(); return; }
            var agent = m.body.substring(m.body.indexOf(" to ") + 4);
            if (agent === this.user && m.to !== this.user) { this.held = []; this.backlog(m, 0); return; }
        }
        if (this.opts.onMessage) this.opts.onMessage(m);
    };

    Connection.prototype.release = function () {
        var held = this.held || [], i;
        this.held = null;
        for (i = 0; i < held.length; i++) this.emit(held[i]);
    };

    Connection.prototype.whoAmI = function () {
        var self = this;
        this.call(ops.me, {}, function (err, res) {
            if (self.closed) return;
            if (err || !res) { window.setTimeout(function () { self.whoAmI(); }, 2000); return; }
            self.user = res.user;
            self.release();
        });
    };

    // A session just became this agent's: what was written in it before (the queued question) comes first.
    Connection.prototype.backlog = function (m, tries) {
        var self = this;
        this.call({get: "/api/support/" + m.sid + "/transcript"}, {}, function (err, res) {
            if (self.closed) return;
            if (err && err.status !== 403 && err.status !== 404 && tries < 3) { window.setTimeout(function () { self.backlog(m, tries + 1); }, 1000 * (tries + 1)); return; }
            var list = (res && res.messages) || [], i, b;
            for (i = 0; i < list.length; i++) {
                b = list[i];
                if (typeof b.mid !== "number" || b.mid >= m.mid) continue;
                b.backlog = true;
                if (self.opts.onMessage) self.opts.onMessage(b);
            }
            if (self.opts.onMessage) self.opts.onMessage(m);
            self.release();
        });
    };

    Connection.prototype.start = function () {
        var self = this;
        if (this.closed) return;
        if (this.cursorValue === null) {
            this.setState("connecting");
            this.call(ops.me, {}, function (err, res) {
                if (self.closed) return;
                if (err) { self.failed(err, false); return; }
                if (self.cursorValue === null) self.cursorValue = res.cursor;
                self.start();
            });
            return;
        }
        if (this.index >= this.candidates.length) this.index = 0;
        var name = this.candidates[this.index];
        var transport = transports[name];
        if (!transport) { this.setState("failed"); return; }
        this.transportName = name;
        this.setState(this.attempt === 0 && !this.everOpened ? "connecting" : "reconnecting");
        var done = false, opened = false, startedAt = now(), firstByte;
        var h = {
            opened: function () {
                if (done || opened) return;
                opened = true;
                window.clearTimeout(firstByte);
                self.everOpened = true;
                self.proven = self.proven || {};
                self.proven[name] = true;
                self.setState("connected");
            },
            message: function (m) { if (!done) self.deliver(m); },
            ended: function (err) {
                if (done) return;
                done = true;
                window.clearTimeout(firstByte);
                self.current = null;
                if (self.closed) return;
                if (!err && opened) {
                    // A clean end (the server's stream limit): reconnect at once, unless it is looping.
                    if (now() - startedAt > 5000) { self.attempt = 0; self.retry(0); } else self.retry(null);
                    return;
                }
                if (opened && now() - startedAt > 10000) self.attempt = 0;
                self.failed(err, opened);
            }
        };
        // A proxy that buffers streams shows as no first byte: give up on this attempt.
        firstByte = window.setTimeout(function () {
            if (opened || done) return;
            if (self.current) self.current.stop();
            h.ended(errorOf(0, "no_first_byte", "No answer within " + self.firstByteMs + " ms."));
        }, name === "longpoll" || name === "jsonp" ? self.firstByteMs + 15000 : self.firstByteMs);
        try {
            this.current = transport.start(this, h);
        } catch (e) {
            h.ended(errorOf(0, "unsupported", String(e && e.message || e)));
        }
    };

    Connection.prototype.call = function (op, params, cb, timeoutMs) {
        return call(this.server, this.channel, this.token, op, params, timeoutMs || 15000, cb);
    };

    // A transport failed. If the server itself answers, the transport is what is broken (a proxy, an
    // old browser): step down to the next one. If the server does not answer, wait and retry.
    Connection.prototype.failed = function (err, wasOpen) {
        var self = this;
        if (this.closed) return;
        if (err && (err.status === 401 || err.code === "unauthorized")) { this.setState("unauthorized"); this.closed = true; return; }
        if (err && err.code === "cursor_ahead") {
            // The server's feed is behind our cursor (a restored backup): resume from its head.
            this.call(ops.me, {}, function (e2, res) { if (!e2 && res) self.cursorValue = res.cursor; self.retry(null); });
            return;
        }
        if (wasOpen || this.candidates.length < 2 || (this.proven && this.proven[this.transportName])) { this.retry(null); return; }
        this.setState("reconnecting");
        this.call(ops.me, {}, function (e2) {
            if (self.closed) return;
            if (e2 && (e2.status === 401 || e2.code === "unauthorized")) { self.setState("unauthorized"); self.closed = true; return; }
            if (!e2) {
                self.index += 1;
                if (self.index >= self.candidates.length) self.index = 0;
                self.retry(0);
            } else {
                self.retry(null);
            }
        }, 8000);
    };

    // Exponential backoff with jitter: 0.5 s, 1 s, 2 s ... capped at 30 s, each scaled by 0.5..1.
    Connection.prototype.retry = function (delay) {
        var self = this;
        if (this.closed) return;
        if (delay === null) {
            var base = Math.min(30000, 500 * Math.pow(2, this.attempt));
            delay = Math.floor(base * (0.5 + Math.random() * 0.5));
            this.attempt += 1;
        }
        if (delay > 0) this.setState("reconnecting");
        this.retryTimer = window.setTimeout(function () { self.retryTimer = null; self.start(); }, delay);
    };

    Connection.prototype.close = function () {
        this.closed = true;
        if (this.retryTimer) window.clearTimeout(this.retryTimer);
        if (this.current) { this.current.stop(); this.current = null; }
        var i;
        for (i = 0; i < this.pending.length; i++) if (this.pending[i].req) this.pending[i].req.abort();
        this.setState("closed");
    };

    // Commands retry on network errors and 5xx with the same id, so the server stores them once.
    Connection.prototype.command = function (op, params, cb) {
        var self = this, tries = 0, entry = {req: null};
        this.pending.push(entry);
        function attempt() {
            tries += 1;
            entry.req = self.call(op, params, function (err, res) {
                entry.req = null;
                var retryable = err && (err.status === 0 || err.status >= 500 || err.code === "rate_limited") && err.code !== "aborted";
                if (retryable && tries < 6 && !self.closed) {
                    window.setTimeout(attempt, Math.min(8000, 400 * Math.pow(2, tries)) * (0.5 + Math.random() * 0.5));
                    return;
                }
                var i = inArray(self.pending, entry);
                if (i >= 0) self.pending.splice(i, 1);
                if (cb) cb(err, res);
            });
        }
        attempt();
    };

    CometChat.connect = function (opts) {
        var conn = new Connection(opts);
        conn.pending = [];
        var api = {
            send: function (to, body, cb, extra) {
                var params = extend({to: to, body: body, id: randomId(), client: conn.client}, extra || {});
                conn.command(ops.send, params, cb);
                return params.id;
            },
            receipt: function (ref, state, cb) { conn.command(ops.receipt, {ref: ref, state: state, client: conn.client}, cb); },
            typing: function (to, cb) { conn.call(ops.typing, {to: to}, cb || function () {}); },
            history: function (withName, before, limit, cb) { conn.call(ops.history, {"with": withName, before: before, limit: limit || 50}, cb); },
            // rooms(cb) or rooms({mine: true, limit: 50, after: name}, cb): one page, {rooms, more, after?}
            rooms: function (params, cb) { if (typeof params === "function") { cb = params; params = {}; } conn.call(ops.rooms, params, cb); },
            presence: function (users, cb) { conn.call(ops.presence, {users: users.join(",")}, cb); },
            join: function (room, cb) { conn.command({post: "/api/rooms/" + encodeURIComponent(room) + "/join", get: "/api/join?room=" + encodeURIComponent(room)}, {}, cb); },
            leave: function (room, cb) { conn.command({post: "/api/rooms/" + encodeURIComponent(room) + "/leave", get: "/api/leave?room=" + encodeURIComponent(room)}, {}, cb); },
            get: function (path, params, cb) { conn.call({get: path}, params || {}, cb); },
            // API.md §8: conversations with unread counts, read markers, recall and edit, files, search, blocks.
            conversations: function (before, limit, cb) { conn.call(ops.conversations, {before: before, limit: limit || 50}, cb); },
            markRead: function (withName, upTo, cb, extra) { conn.command(ops.markRead, extend({"with": withName, upTo: upTo, client: conn.client}, extra || {}), cb); },
            recall: function (mid, cb) { conn.command({post: "/api/messages/" + mid + "/recall", get: "/api/recall?mid=" + mid}, {client: conn.client}, cb); },
            edit: function (mid, body, cb) { conn.command({post: "/api/messages/" + mid + "/edit", get: "/api/edit?mid=" + mid}, {body: body, id: randomId(), client: conn.client}, cb); },
            search: function (q, opts, cb) { conn.call(ops.search, extend({q: q}, opts || {}), cb); },
            blocks: function (cb) { conn.call(ops.blocks, {}, cb); },
            block: function (user, cb) { conn.command({post: "/api/blocks/" + encodeURIComponent(user), get: "/api/block?user=" + encodeURIComponent(user)}, {}, cb); },
            unblock: function (user, cb) { conn.command({get: "/api/unblock?user=" + encodeURIComponent(user)}, {}, cb); },
            // source: a File (drag and drop, FormData browsers) or a file input inside its own form. cb(err, file).
            upload: function (source, cb) {
                var file = source && source.files ? source.files[0] : source;
                function done(err, res) { cb(err, res && res.file); }
                if (window.FormData && file && typeof file === "object" && !source.tagName && conn.channel !== "jsonp" && conn.channel !== "xdr")
                    return xhrUpload(conn.server, conn.channel, conn.token, file, 120000, done);
                if (window.FormData && source && source.tagName && source.files && source.files.length && conn.channel !== "jsonp" && conn.channel !== "xdr")
                    return xhrUpload(conn.server, conn.channel, conn.token, source.files[0], 120000, function (err, res) { try { source.form.reset(); } catch (e) {} done(err, res); });
                if (!source || !source.form) { cb(errorOf(0, "unsupported", "This browser can upload only from a file input in a form."), null); return null; }
                return frameUpload(conn.server, conn.token, source.form, 120000, done);
            },
            // A file's URL, for an <img> or a download link (the token in the query: such requests send no header).
            fileUrl: function (id) { return withQuery(conn.server + "/api/files/" + encodeURIComponent(id), {token: conn.token}); },
            // A write with its JSONP twin, retried like a send: post("/api/support/7/claim", "/api/support/claim", {sid: 7}, cb).
            post: function (postPath, getPath, params, cb) { conn.command({post: postPath, get: getPath}, params || {}, cb); },
            user: function () { return conn.user; },
            cursor: function () { return conn.cursorValue; },
            transport: function () { return conn.transportName; },
            state: function () { return conn.state; },
            client: conn.client,
            close: function () { conn.close(); }
        };
        // Before the load event, a JSONP script or forever frame would hold the page's load (and its
        // spinner) for as long as the server waits: start once the page has loaded.
        if (document.readyState && document.readyState !== "complete") on(window, "load", function () { window.setTimeout(function () { conn.start(); }, 0); });
        else conn.start();
        return api;
    };
})(window);
