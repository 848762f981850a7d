// Copy one answer's text to the clipboard, in the browser: nothing goes to the server.

async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    const done = document.execCommand("copy");
    area.remove();
    return done;
  }
}

export default function ({ data, parentElement }) {
  const button = parentElement.querySelector("button");
  const label = button.querySelector(".vision-copy-label");
  button.onclick = async () => {
    const done = await copy(data?.text ?? "");
    label.textContent = done ? "Copied" : "Copy failed";
    setTimeout(() => {
      label.textContent = "Copy";
    }, 1500);
  };
}
