// The Mini App's login: Telegram puts the signed initData into the page's address fragment;
// it is posted once to /app/login, which checks the signature and opens a session.
(function () {
  "use strict";
  var status = document.getElementById("status");
  var data = new URLSearchParams(window.location.hash.slice(1)).get("tgWebAppData");
  if (!data) {
    status.textContent = "请从机器人中的“打开台账”按钮进入，或发送 /web 获取登录链接。";
    return;
  }
  fetch("/app/login", {
    method: "POST",
    credentials: "same-origin",
    body: new URLSearchParams({ init_data: data }),
  })
    .then(function (response) {
      return response.json().then(function (body) {
        if (response.ok && body.next) {
          window.location.replace(body.next);
        } else {
          status.textContent = body.error || "无法验证您的身份。";
        }
      });
    })
    .catch(function () {
      status.textContent = "网络错误，请稍后再试。";
    });
})();
