// The images of the question on screen as a strip of thumbnails; a click asks the page to show
// one large.

export default function ({ data, parentElement, setTriggerValue }) {
  const strip = parentElement.querySelector(".vision-strip");
  strip.replaceChildren(
    ...(data?.images ?? []).map((image, index) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "vision-thumb";
      button.title = `See ${image.label} large`;
      button.setAttribute("aria-label", `See ${image.label} large`);
      if (image.src) {
        const picture = document.createElement("img");
        picture.src = image.src;
        picture.alt = `Thumbnail of ${image.label}`;
        button.appendChild(picture);
      } else {
        button.textContent = image.label;
      }
      button.onclick = () => setTriggerValue("open", index);
      return button;
    }),
  );
}
