// Draws the demo stories' photos and the server tests' tiny images on a canvas in Chromium, so
// every image in the repository is made by code (no copyrighted picture). Run once after a change:
// `node scripts/draw-photos.mjs`; the files are committed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { findChromium } from './chromium.mjs';

const root = new URL('..', import.meta.url);
const demo = new URL('server/src/demo/photos/', root);
const fixtures = new URL('server/test/fixtures/photos/', root);

/** Canvas scripts, run in the page: each draws on `context` (480 × 320). */
const scenes = {
  // A stage seen from the stalls: red curtains, warm light, the audience's heads.
  stage: `
    const sky = context.createLinearGradient(0, 0, 0, 320);
    sky.addColorStop(0, '#2b1410'); sky.addColorStop(1, '#120806');
    context.fillStyle = sky; context.fillRect(0, 0, 480, 320);
    const light = context.createRadialGradient(240, 150, 10, 240, 150, 200);
    light.addColorStop(0, '#ffe6a8'); light.addColorStop(1, '#6b3a1c');
    context.fillStyle = light; context.fillRect(80, 60, 320, 170);
    context.fillStyle = '#5a2a12'; context.fillRect(60, 222, 360, 14);
    for (const [x, direction] of [[80, 1], [400, -1]]) {
      for (let fold = 0; fold < 6; fold += 1) {
        context.fillStyle = fold % 2 ? '#8e1622' : '#b3202e';
        context.beginPath();
        context.moveTo(x + direction * fold * 14, 40);
        context.lineTo(x + direction * (fold + 1) * 14, 40);
        context.lineTo(x + direction * (fold * 9 + 20), 236);
        context.lineTo(x + direction * fold * 9, 236);
        context.fill();
      }
    }
    context.fillStyle = '#b3202e'; context.fillRect(60, 30, 360, 26);
    context.fillStyle = '#d9a441'; context.fillRect(60, 54, 360, 4);
    context.fillStyle = '#3d2412';
    context.beginPath(); context.arc(225, 190, 12, 0, Math.PI * 2); context.fill();
    context.fillRect(215, 200, 20, 26);
    context.beginPath(); context.arc(262, 186, 11, 0, Math.PI * 2); context.fill();
    context.fillRect(253, 196, 18, 30);
    for (let row = 0; row < 3; row += 1) {
      context.fillStyle = ['#1b0e08', '#150a06', '#0e0704'][row];
      for (let seat = 0; seat < 12; seat += 1) {
        const x = 18 + seat * 40 + (row % 2) * 20;
        const y = 262 + row * 22;
        context.beginPath(); context.arc(x, y, 14, 0, Math.PI * 2); context.fill();
        context.fillRect(x - 17, y + 8, 34, 30);
      }
    }`,
  // A music room: a keyboard, a music stand and notes in the air.
  music: `
    const wall = context.createLinearGradient(0, 0, 480, 320);
    wall.addColorStop(0, '#f3e9d2'); wall.addColorStop(1, '#d8c7a1');
    context.fillStyle = wall; context.fillRect(0, 0, 480, 320);
    context.fillStyle = '#7a5230'; context.fillRect(0, 250, 480, 70);
    context.fillStyle = '#1f1a17'; context.fillRect(40, 170, 300, 70);
    context.fillStyle = '#fbfaf6'; context.fillRect(52, 196, 276, 40);
    context.fillStyle = '#1f1a17';
    for (let key = 0; key < 23; key += 1) context.fillRect(52 + key * 12, 196, 1, 40);
    for (let key = 0; key < 22; key += 1) if (![2, 6, 9, 13, 16, 20].includes(key % 23)) context.fillRect(60 + key * 12, 196, 7, 24);
    context.fillRect(60, 240, 10, 40); context.fillRect(310, 240, 10, 40);
    context.strokeStyle = '#3b3b3b'; context.lineWidth = 4;
    context.beginPath(); context.moveTo(410, 140); context.lineTo(410, 290); context.stroke();
    context.beginPath(); context.moveTo(385, 290); context.lineTo(435, 290); context.stroke();
    context.fillStyle = '#3b3b3b'; context.fillRect(375, 90, 70, 50);
    context.fillStyle = '#ffffff'; context.fillRect(380, 94, 60, 42);
    context.strokeStyle = '#555'; context.lineWidth = 1;
    for (let line = 0; line < 5; line += 1) { context.beginPath(); context.moveTo(384, 102 + line * 6); context.lineTo(436, 102 + line * 6); context.stroke(); }
    context.fillStyle = '#2d5d8a';
    for (const [x, y] of [[120, 80], [170, 60], [220, 95], [270, 50]]) {
      context.beginPath(); context.ellipse(x, y, 10, 7, -0.4, 0, Math.PI * 2); context.fill();
      context.fillRect(x + 8, y - 38, 3, 38);
    }
    context.fillRect(178, 22, 95, 5);`,
  // Six by four pixels of colour, for the server's upload tests.
  tiny: `
    for (let x = 0; x < 6; x += 1) for (let y = 0; y < 4; y += 1) {
      context.fillStyle = 'hsl(' + (x * 60) + ', 70%, ' + (30 + y * 15) + '%)'; context.fillRect(x, y, 1, 1);
    }`,
};

const outputs = [
  { scene: 'stage', width: 480, height: 320, type: 'image/webp', quality: 0.72, file: new URL('teatro-cagnoni.webp', demo) },
  { scene: 'music', width: 480, height: 320, type: 'image/webp', quality: 0.72, file: new URL('scuola-musica.webp', demo) },
  { scene: 'tiny', width: 6, height: 4, type: 'image/png', file: new URL('tiny.png', fixtures) },
  { scene: 'tiny', width: 6, height: 4, type: 'image/jpeg', quality: 0.9, file: new URL('tiny.jpg', fixtures) },
  { scene: 'tiny', width: 6, height: 4, type: 'image/webp', quality: 0.9, file: new URL('tiny.webp', fixtures) },
];

const browser = await chromium.launch({ executablePath: findChromium(), args: ['--no-sandbox'] });
try {
  const page = await browser.newPage();
  for (const output of outputs) {
    const dataUrl = await page.evaluate(
      ({ script, width, height, type, quality }) => {
        const canvas = document.createElement('canvas');
        canvas.width = width;
        canvas.height = height;
        const context = canvas.getContext('2d');
        new Function('context', script)(context);
        return canvas.toDataURL(type, quality);
      },
      { script: scenes[output.scene], width: output.width, height: output.height, type: output.type, quality: output.quality },
    );
    const bytes = Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
    mkdirSync(new URL('.', output.file), { recursive: true });
    writeFileSync(output.file, bytes);
    console.log(`${output.file.pathname.slice(root.pathname.length)}: ${bytes.length} bytes`);
  }
} finally {
  await browser.close();
}
