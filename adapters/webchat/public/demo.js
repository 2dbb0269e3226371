// Demo page helper: the example questions send themselves through the widget's public API.
document.querySelectorAll('.examples button').forEach(function (button) {
  button.addEventListener('click', function () {
    if (!window.Switchboard) return;
    window.Switchboard.open();
    window.Switchboard.send(button.textContent);
  });
});
