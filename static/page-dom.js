/*
 * DOM helpers shared by the chat page (chat-page.js) and the agent's console (agent.js), ECMAScript 3 and DOM
 * level 1 only like them: CometChat.dom.$, on (events with IE's attachEvent, the handler gets the event and
 * `this`), stop, el, setText, clear and trim. Loaded after cometchat.js and before the page's own script.
 */
(function (window, document) {
    var CometChat = window.CometChat = window.CometChat || {};

    function $(id) { return document.getElementById(id); }

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

    function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); }

    function setText(e, text) {
        clear(e);
        e.appendChild(document.createTextNode(text));
    }

    function trim(s) { return String(s || "").replace(/^\s+|\s+$/g, ""); }

    CometChat.dom = {$: $, on: on, stop: stop, el: el, setText: setText, clear: clear, trim: trim};
})(window, document);
