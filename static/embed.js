/*
 * The CometChat widget for any other site, by JSONP only (no CORS needed, works on every origin):
 *
 *   <script src="http://chat.example.com/embed.js" data-server="http://chat.example.com"
 *           data-token="(optional: a token your backend minted)" data-to="@support"
 *           data-title="Support"></script>
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
    var title = attr("title", to === "@support" ? "Support" : "Chat with " + to);
    var me = null, chat = null, shown = {}, pendingIds = {};

    var css = [
        "#cometchat-w-button{position:fixed;right:20px;bottom:20px;z-index:2147483000;padding:10px 16px;border:0;border-radius:20px;background:#2b5797;color:#fff;font:14px Arial,sans-serif;cursor:pointer;box-shadow:0 2px 8px rgba(0,0,0,.3)}",
        "#cometchat-w-panel{position:fixed;right:20px;bottom:70px;z-index:2147483000;width:300px;height:380px;background:#fff;border:1px solid #ccd;border-radius:6px;font:13px/1.4 Arial,sans-serif;color:#222;box-shadow:0 2px 12px rgba(0,0,0,.25);overflow:hidden;text-align:left}",
        "#cometchat-w-head{height:20px;padding:8px 10px;background:#2b5797;color:#fff;font-weight:bold}",
        "#cometchat-w-state{float:right;font-weight:normal;font-size:11px}",
        "#cometchat-w-log{position:absolute;top:37px;left:0;right:0;bottom:44px;padding:6px 10px;overflow:auto}",
        "#cometchat-w-form{position:absolute;left:0;right:0;bottom:0;height:28px;padding:8px 10px;margin:0;border-top:1px solid #dde}",
        "#cometchat-w-input{width:200px;padding:4px;border:1px solid #bbc}",
        "#cometchat-w-send,#cometchat-w-login-button{padding:4px 8px;border:1px solid #2b5797;background:#2b5797;color:#fff;cursor:pointer}",
        "#cometchat-w-login{padding:12px 10px}",
        "#cometchat-w-login input{width:260px;padding:4px;margin:2px 0 8px;border:1px solid #bbc}",
        ".cometchat-w-msg{margin:4px 0}",
        ".cometchat-w-msg span{display:inline-block;max-width:85%;padding:4px 8px;border-radius:6px;background:#eef1f6;word-wrap:break-word}",
        ".cometchat-w-mine{text-align:right}",
        ".cometchat-w-mine span{background:#dcecff;text-align:left}",
        ".cometchat-w-note{text-align:center;color:#778;font-size:11px;margin:4px 0}",
        ".cometchat-w-error{color:#b00;font-size:12px}"
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

    function addStyle() {
        var style = document.createElement("style");
        style.type = "text/css";
        (document.getElementsByTagName("head")[0] || document.documentElement).appendChild(style);
        if (style.styleSheet) style.styleSheet.cssText = css; else style.appendChild(document.createTextNode(css));
    }

    function build() {
        addStyle();
        var button = el("button", "cometchat-w-button", null, title);
        button.type = "button";
        var panel = el("div", "cometchat-w-panel");
        panel.style.display = "none";
        var head = el("div", "cometchat-w-head", null, title);
        head.appendChild(el("span", "cometchat-w-state", null, ""));
        panel.appendChild(head);
        var login = el("form", "cometchat-w-login");
        login.appendChild(el("div", null, null, "Your name"));
        var name = el("input", "cometchat-w-name");
        name.type = "text";
        name.maxLength = 32;
        login.appendChild(name);
        login.appendChild(el("div", null, null, "Password"));
        var password = el("input", "cometchat-w-password");
        password.type = "password";
        login.appendChild(password);
        var go = el("button", "cometchat-w-login-button", null, "Start chat");
        go.type = "submit";
        login.appendChild(go);
        login.appendChild(el("div", "cometchat-w-login-error", "cometchat-w-error", ""));
        panel.appendChild(login);
        var log = el("div", "cometchat-w-log");
        log.style.display = "none";
        panel.appendChild(log);
        var form = el("form", "cometchat-w-form");
        form.style.display = "none";
        var input = el("input", "cometchat-w-input");
        input.type = "text";
        input.maxLength = 4000;
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
            if (panel.style.display === "block") { try { (chat ? input : name).focus(); } catch (e) {} }
        });
        on(login, "submit", function (e) {
            stop(e);
            setText($("cometchat-w-login-error"), "");
            window.CometChat.login(server, name.value, password.value, function (err, res) {
                if (err) { setText($("cometchat-w-login-error"), err.message || "Sign-in failed."); return; }
                connect(res.token, res.user, res.cursor);
            }, {jsonp: true});
            return false;
        });
        on(form, "submit", function (e) {
            stop(e);
            var body = input.value.replace(/^\s+|\s+$/g, "");
            if (!body || !chat) return false;
            input.value = "";
            var row = line({from: me, to: to, kind: "text", body: body}, true);
            row.className += " cometchat-w-pending";
            var id = chat.send(to, body, function (err, res) {
                if (err) { row.appendChild(el("div", null, "cometchat-w-error", "Not sent: " + (err.message || err.code))); return; }
                row.className = "cometchat-w-msg cometchat-w-mine";
                row.setAttribute("data-mid", String(res.mid));
                shown[res.mid] = true;
                place(row, res.mid);
            });
            pendingIds[id] = true;
            return false;
        });
    }

    function line(m, mine) {
        var log = $("cometchat-w-log"), row;
        if (m.kind === "session") row = el("div", null, "cometchat-w-note", m.body);
        else {
            row = el("div", null, "cometchat-w-msg" + (mine ? " cometchat-w-mine" : ""));
            row.appendChild(el("span", null, null, m.body));
        }
        if (typeof m.mid === "number") row.setAttribute("data-mid", String(m.mid));
        place(row, m.mid);
        log.scrollTop = log.scrollHeight;
        return row;
    }

    // Rows stand in mid order (a send's answer can come after later feed messages); pending ones last.
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
        if (to === "@support") return m.to === "@support" || m.from === "@support" || (m.sid !== undefined && m.sid !== null);
        return m.from === to || m.to === to;
    }

    function connect(token, user, cursor) {
        me = user;
        $("cometchat-w-login").style.display = "none";
        $("cometchat-w-log").style.display = "block";
        $("cometchat-w-form").style.display = "block";
        chat = window.CometChat.connect({
            server: server, token: token, since: typeof cursor === "number" ? cursor : undefined,
            transport: "jsonp", jsonp: true,
            onMessage: function (m) {
                if (m.kind === "receipt" || shown[m.mid] || !belongs(m)) return;
                if (m.from === me && m.id && pendingIds[m.id]) return;
                shown[m.mid] = true;
                line(m, m.from === me);
                if (m.from !== me && m.kind === "text") chat.receipt(m.mid, "read", function () {});
            },
            onEvent: function () {},
            onState: function (state) {
                setText($("cometchat-w-state"), state === "connected" ? "online" : state);
                $("cometchat-w-panel").setAttribute("data-state", state);
            }
        });
        // A data-token without data-user: ask the server whose token it is, to tell own messages apart.
        if (!me) chat.get("/api/me", {}, function (err, res) { if (!err && res) me = res.user; });
    }

    function ready() {
        build();
        var token = attr("token", null);
        if (token) connect(token, attr("user", null), undefined);
    }

    function whenLibrary(fn) {
        if (window.CometChat && window.CometChat.connect) { fn(); return; }
        var s = document.createElement("script");
        s.src = server + "/cometchat.js?v=1";
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

    window.CometChatWidget = {server: server, to: to};
    whenLoaded(function () { whenLibrary(function () { whenBody(ready); }); });
})(window, document);
