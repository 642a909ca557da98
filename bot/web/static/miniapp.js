// The Mini App's only script: Telegram puts its signed initData in the URL fragment; post it to the
// server, which checks the signature with the bot token and opens the dashboard (no telegram.org
// script needed, nothing fetched from elsewhere).
(function () {
  var data = new URLSearchParams(location.hash.slice(1)).get("tgWebAppData");
  var form = document.getElementById("miniapp");
  if (data && form) {
    form.elements.initData.value = data;
    form.submit();
  }
})();
