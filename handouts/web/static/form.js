// New leaflet: the sessions box of a treatment shows once the treatment is ticked.
// Without this script every sessions box simply stays in view.
document.addEventListener("DOMContentLoaded", () => {
  for (const box of document.querySelectorAll(".sessions[data-for]")) {
    const treatment = document.getElementById(box.dataset.for);
    const show = () => { box.hidden = !treatment.checked && !box.querySelector("input").value; };
    treatment.addEventListener("change", show);
    show();
  }
});
