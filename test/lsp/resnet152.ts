/**
 * A ResNet-152 written out layer by layer, with no blocks or repeats: 623
 * lines, 465 layers — the size of file the latency budget is stated for.
 * torchvision's resnet152 has 60,192,808 parameters.
 */
export function unrolledResNet152(): string {
  const lines = [
    "# ResNet-152 written out layer by layer (torchvision's layout).",
    "model ResNet152 {",
    "  input 3x224x224",
    "  conv1: conv 64, 7x7, stride=2, padding=3, bias=false",
    "  bn1: batchnorm",
    "  relu",
    "  maxpool 3x3, stride=2, padding=1",
  ];
  const stages: [number, number, number][] = [
    [64, 3, 1],
    [128, 8, 2],
    [256, 36, 2],
    [512, 3, 2],
  ];
  stages.forEach(([width, blocks, firstStride], stage) => {
    for (let i = 0; i < blocks; i++) {
      const stride = i === 0 ? firstStride : 1;
      lines.push(
        `  # layer${stage + 1}.${i}`,
        "  residual {",
        `    conv ${width}, 1x1, bias=false`,
        "    batchnorm",
        "    relu",
        `    conv ${width}, 3x3, stride=${stride}, padding=1, bias=false`,
        "    batchnorm",
        "    relu",
        `    conv ${width * 4}, 1x1, bias=false`,
        "    batchnorm",
      );
      if (i === 0) lines.push("  } shortcut {", `    conv ${width * 4}, 1x1, stride=${stride}, bias=false`, "    batchnorm", "  }");
      else lines.push("  }");
      lines.push("  relu");
    }
  });
  lines.push("  globalavgpool", "  flatten", "  fc: dense 1000", "}", "");
  return lines.join("\n");
}
