// Keeps the navigation bar's unread badge live: the server says "inboxChanged" over SignalR,
// the page asks for the current count (so every tab shows the same number, whatever changed).
(function () {
    "use strict";
    var link = document.getElementById("inbox-link");
    var badge = document.getElementById("inbox-badge");
    if (!link || !badge || !window.signalR) {
        return;
    }

    function show(count) {
        badge.textContent = String(count);
        badge.setAttribute("data-count", String(count));
        badge.classList.toggle("d-none", count === 0);
    }

    function refresh() {
        return fetch(link.getAttribute("data-unread-url"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
            .then(function (r) { return r.ok ? r.json() : null; })
            .then(function (body) { if (body && typeof body.count === "number") { show(body.count); } })
            .catch(function () { /* offline: keep the last count */ });
    }

    var connection = new signalR.HubConnectionBuilder()
        .withUrl(link.getAttribute("data-hub-url"))
        .withAutomaticReconnect()
        .build();
    connection.on("inboxChanged", refresh);
    connection.onreconnected(refresh);
    // A start can fail while the hub's Redis backplane is down: the badge keeps the count from page load and the
    // page tries again, less often each time (automatic reconnect only covers a connection that was once up).
    function start(retryMs) {
        connection.start()
            .then(function () { document.documentElement.setAttribute("data-inbox-live", "true"); return refresh(); })
            .catch(function () { setTimeout(function () { start(Math.min(retryMs * 2, 60000)); }, retryMs); });
    }
    start(2000);
}());
