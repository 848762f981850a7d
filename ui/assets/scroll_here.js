// Once per question: bring the answers into view when they start, as a chat does. A later run
// of the page (a click, a model finishing) leaves the scroll where the person put it.

export default function ({ data, parentElement }) {
  const question = data?.question;
  if (!question || window.__visionShownQuestion === question) return;
  window.__visionShownQuestion = question;
  const place = parentElement.host ?? parentElement;
  requestAnimationFrame(() => place.scrollIntoView({ behavior: "smooth", block: "start" }));
}
