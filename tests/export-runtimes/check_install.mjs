// Loads both runtimes the way onnx_check.mjs and gguf_check.mjs do and checks the versions against
// package.json's pins, and that llama.cpp's prebuilt CPU binary loads without building anything, so a
// half-finished install, another version or a missing native binary all count as absent
// (scripts/install_export_runtimes.sh). A file, not `node -e`: node-llama-cpp tests its binary in a child
// process started with this process's node options, which `--input-type` breaks.
import { readFileSync } from "node:fs";

const here = new URL(".", import.meta.url);
const pins = JSON.parse(readFileSync(new URL("package.json", here), "utf8")).dependencies;
for (const name of Object.keys(pins)) {
  const installed = JSON.parse(readFileSync(new URL(`node_modules/${name}/package.json`, here), "utf8")).version;
  if (installed !== pins[name]) throw new Error(`${name}: installed ${installed}, pinned ${pins[name]}`);
}
const ort = await import("onnxruntime-node");
if (typeof ort.InferenceSession.create !== "function") throw new Error("onnxruntime-node has no InferenceSession");
const { getLlama } = await import("node-llama-cpp");
const llama = await getLlama({ gpu: false, build: "never", logLevel: "error" });
console.log(`onnxruntime-node ${pins["onnxruntime-node"]}, node-llama-cpp ${pins["node-llama-cpp"]} ` +
  `(${llama.buildType} binary, gpu ${llama.gpu})`);
await llama.dispose();
