// Images dropped anywhere on the page, or pasted (Ctrl/Cmd+V) into the prompt, go into the
// Playground's uploader, as if chosen there: the uploader sends them to the server itself.
// Installed once per page; each mount only refreshes the hint.

const UPLOADER = ".st-key-images input[type=file]";
const OWN_DROPZONES = "[data-testid=stFileUploaderDropzone], [data-testid=stChatInput]";

function imageFiles(list) {
  return Array.from(list || []).filter((file) => file.type.startsWith("image/"));
}

function addToUploader(files) {
  const input = document.querySelector(UPLOADER);
  if (!input || files.length === 0) return false;
  const transfer = new DataTransfer();
  files.forEach((file) => transfer.items.add(file));
  input.files = transfer.files;
  input.dispatchEvent(new Event("change", { bubbles: true }));
  return true;
}

function named(file, index) {
  if (file.name && file.name !== "image.png") return file;
  const stamp = new Date().toISOString().slice(11, 19).replaceAll(":", "");
  const extension = (file.type.split("/")[1] || "png").replace("jpeg", "jpg");
  return new File([file], `pasted-${stamp}-${index + 1}.${extension}`, { type: file.type });
}

function overlay() {
  let shown = document.getElementById("vision-drop-overlay");
  if (!shown) {
    shown = document.createElement("div");
    shown.id = "vision-drop-overlay";
    shown.setAttribute("role", "status");
    shown.textContent = "Drop images to add them";
    document.body.appendChild(shown);
  }
  return shown;
}

function carriesFiles(event) {
  return Array.from(event.dataTransfer?.types || []).includes("Files");
}

function install() {
  let depth = 0;
  const hide = () => {
    depth = 0;
    overlay().classList.remove("vision-drop-active");
  };
  document.addEventListener("dragenter", (event) => {
    if (!carriesFiles(event)) return;
    depth += 1;
    overlay().classList.add("vision-drop-active");
  });
  document.addEventListener("dragleave", (event) => {
    if (!carriesFiles(event)) return;
    depth = Math.max(0, depth - 1);
    if (depth === 0) hide();
  });
  document.addEventListener("dragover", (event) => {
    if (carriesFiles(event)) event.preventDefault();
  });
  document.addEventListener("drop", (event) => {
    hide();
    if (!carriesFiles(event) || event.target.closest?.(OWN_DROPZONES)) return;
    event.preventDefault();
    addToUploader(imageFiles(event.dataTransfer.files));
  });
  document.addEventListener("paste", (event) => {
    if (event.target.closest?.("[data-testid=stChatInput]")) return;
    const files = imageFiles(event.clipboardData?.files).map(named);
    if (files.length && addToUploader(files)) event.preventDefault();
  });
}

export default function () {
  if (!window.__visionDropAndPaste) {
    window.__visionDropAndPaste = true;
    install();
  }
}
