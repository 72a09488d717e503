/// Python source of the PyTorch module equivalent to each SwiftGAN
/// generator: the same layers in the same order, so the module's
/// `state_dict()` keys and shapes are those `gan export` writes and
/// `load_state_dict(..., strict=True)` accepts the file. A model card
/// (`ModelCard`) gives the classes a generator needs and the one call that
/// builds it for its exact configuration.
enum PyTorchSource {
    static let imports = """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        from safetensors.torch import load_file
        """

    /// The MLP generator (PyTorch-GAN's `gan.py`): z → 256 → 512 → 1024 → pixels.
    static let mlp = """
        class MLPGenerator(nn.Module):
            def __init__(self, latent_dim, image_shape, relu=False):
                super().__init__()
                self.image_shape = image_shape
                pixels = image_shape[0] * image_shape[1] * image_shape[2]
                act = (lambda: nn.ReLU()) if relu else (lambda: nn.LeakyReLU(0.2))
                self.model = nn.Sequential(
                    nn.Linear(latent_dim, 256), act(), nn.Linear(256, 512), act(),
                    nn.Linear(512, 1024), act(), nn.Linear(1024, pixels), nn.Tanh())

            def forward(self, z):
                return self.model(z).view(z.shape[0], *self.image_shape)
        """

    /// The conditional MLP generator (PyTorch-GAN's `cgan.py`): the label's embedding joins z.
    static let conditional = """
        class ConditionalGenerator(nn.Module):
            def __init__(self, latent_dim, image_shape, classes):
                super().__init__()
                self.image_shape = image_shape
                pixels = image_shape[0] * image_shape[1] * image_shape[2]
                self.label_embedding = nn.Embedding(classes, classes)

                def block(inputs, outputs, normalize=True):
                    layers = [nn.Linear(inputs, outputs)]
                    if normalize:
                        layers.append(nn.BatchNorm1d(outputs, 0.8))
                    return layers + [nn.LeakyReLU(0.2)]

                self.model = nn.Sequential(
                    *block(latent_dim + classes, 128, normalize=False), *block(128, 256), *block(256, 512), *block(512, 1024),
                    nn.Linear(1024, pixels), nn.Tanh())

            def forward(self, z, labels):
                x = torch.cat([self.label_embedding(labels), z], 1)
                return self.model(x).view(z.shape[0], *self.image_shape)
        """

    /// DCGAN's generator for 28, 32 or 64 pixels (64: PyTorch's `examples/dcgan`).
    static let dcgan = """
        class DCGANGenerator(nn.Module):
            def __init__(self, latent_dim, channels, size, width):
                super().__init__()

                def up(inputs, outputs, kernel, stride, padding):
                    return [nn.ConvTranspose2d(inputs, outputs, kernel, stride, padding, bias=False), nn.BatchNorm2d(outputs), nn.ReLU(True)]

                if size == 28:
                    layers, last = up(latent_dim, width * 4, 7, 1, 0) + up(width * 4, width * 2, 4, 2, 1), width * 2
                elif size == 32:
                    layers = up(latent_dim, width * 4, 4, 1, 0) + up(width * 4, width * 2, 4, 2, 1) + up(width * 2, width, 4, 2, 1)
                    last = width
                else:
                    layers = up(latent_dim, width * 8, 4, 1, 0) + up(width * 8, width * 4, 4, 2, 1) + up(width * 4, width * 2, 4, 2, 1)
                    layers, last = layers + up(width * 2, width, 4, 2, 1), width
                self.main = nn.Sequential(*layers, nn.ConvTranspose2d(last, channels, 4, 2, 1, bias=False), nn.Tanh())

            def forward(self, z):
                return self.main(z.view(z.shape[0], -1, 1, 1))
        """

    /// The conditional DCGAN generator of `cdcgan` and `acgan`: DCGAN's layers from z and the label's embedding.
    static let conditionalDCGAN = """
        class ConditionalDCGANGenerator(DCGANGenerator):
            def __init__(self, latent_dim, channels, size, width, classes):
                super().__init__(latent_dim + classes, channels, size, width)
                self.label_embedding = nn.Embedding(classes, classes)

            def forward(self, z, labels):
                x = torch.cat([z, self.label_embedding(labels)], 1)
                return self.main(x.view(x.shape[0], -1, 1, 1))
        """

    /// TensorFlow's DCGAN tutorial generator, with TensorFlow's "same" padding as crops after the transposed convolutions.
    static let tensorFlowDCGAN = """
        class TFDCGANGenerator(nn.Module):
            def __init__(self, latent_dim, channels):
                super().__init__()

                def up(inputs, outputs, stride):
                    # Keras Conv2DTranspose(outputs, 5, strides=stride, padding="same", use_bias=False)
                    before, after = (2, 2) if stride == 1 else (1, 2)
                    return [nn.ConvTranspose2d(inputs, outputs, 5, stride, bias=False), nn.ZeroPad2d((-before, -after, -before, -after))]

                def norm(features, dimensions=2):
                    return (nn.BatchNorm1d if dimensions == 1 else nn.BatchNorm2d)(features, eps=1e-3, momentum=0.01)

                self.model = nn.Sequential(
                    nn.Linear(latent_dim, 7 * 7 * 256, bias=False), norm(7 * 7 * 256, 1), nn.LeakyReLU(0.3), nn.Unflatten(1, (256, 7, 7)),
                    *up(256, 128, 1), norm(128), nn.LeakyReLU(0.3), *up(128, 64, 2), norm(64), nn.LeakyReLU(0.3),
                    *up(64, channels, 2), nn.Tanh())

            def forward(self, z):
                return self.model(z)
        """

    /// The 2-D mixture generator: 4 x [Linear, BatchNorm1d, ReLU], then Linear to 2.
    static let mixture = """
        class MixtureGenerator(nn.Module):
            def __init__(self, latent_dim, width):
                super().__init__()
                layers, inputs = [], latent_dim
                for _ in range(4):
                    layers += [nn.Linear(inputs, width), nn.BatchNorm1d(width), nn.ReLU()]
                    inputs = width
                self.model = nn.Sequential(*layers, nn.Linear(width, 2))

            def forward(self, z):
                return self.model(z)  # [N, 2] points
        """

    static let normLayer = """
        def norm_layer(kind, features):
            return nn.InstanceNorm2d(features) if kind == "instance" else nn.BatchNorm2d(features)
        """

    /// pix2pix's U-Net with flat module lists (`down.i`, `up.i`).
    static let unet = """
        def padded_size(size):
            p = 1
            while p < size:
                p *= 2
            return p


        def unet_depth(size):
            p, depth = padded_size(size), 0
            while (1 << (depth + 1)) <= p and depth < 8:
                depth += 1
            return depth


        class UNet(nn.Module):
            def __init__(self, in_channels, out_channels, size, width, norm="batch", upscale=1):
                super().__init__()
                self.size, self.upscale = size, upscale
                depth = unet_depth(size)
                widths = [width * (1 << min(i, 3)) for i in range(depth)]
                bias = norm == "instance"
                down, up = [], []
                for level in range(depth):
                    inputs = in_channels if level == 0 else widths[level - 1]
                    conv = nn.Conv2d(inputs, widths[level], 4, 2, 1, bias=bias)
                    if level == 0:
                        down.append(nn.Sequential(conv))
                    elif level == depth - 1:
                        down.append(nn.Sequential(nn.LeakyReLU(0.2), conv))
                    else:
                        down.append(nn.Sequential(nn.LeakyReLU(0.2), conv, norm_layer(norm, widths[level])))
                for level in range(depth):
                    inputs = widths[level] if level == depth - 1 else 2 * widths[level]
                    if level == 0:
                        up.append(nn.Sequential(nn.ReLU(), nn.ConvTranspose2d(inputs, out_channels, 4, 2, 1), nn.Tanh()))
                        continue
                    layers = [nn.ReLU(), nn.ConvTranspose2d(inputs, widths[level - 1], 4, 2, 1, bias=bias), norm_layer(norm, widths[level - 1])]
                    if depth - 4 <= level < depth - 1:
                        layers.append(nn.Dropout(0.5))
                    up.append(nn.Sequential(*layers))
                self.down, self.up = nn.ModuleList(down), nn.ModuleList(up)

            def forward(self, x):
                if self.upscale > 1:
                    x = F.interpolate(x, scale_factor=self.upscale, mode="bilinear", align_corners=False)
                pad = padded_size(self.size) - self.size
                if pad:
                    x = F.pad(x, (pad // 2, pad - pad // 2, pad // 2, pad - pad // 2), mode="reflect")
                skips = []
                for level in self.down:
                    x = level(x)
                    skips.append(x)
                y = self.up[-1](skips[-1])
                for level in range(len(self.up) - 2, -1, -1):
                    y = self.up[level](torch.cat([skips[level], y], 1))
                if pad:
                    y = y[:, :, pad // 2:pad // 2 + self.size, pad // 2:pad // 2 + self.size]
                return y
        """

    /// SRGAN's residual generator with pixel-shuffle upsampling.
    static let srresnet = """
        class Residual(nn.Module):
            def __init__(self, *layers):
                super().__init__()
                self.body = nn.Sequential(*layers)

            def forward(self, x):
                return x + self.body(x)


        class SRResNet(nn.Module):
            def __init__(self, in_channels, out_channels, width, blocks, upscale, norm="batch"):
                super().__init__()
                bias = norm == "instance"
                self.head = nn.Sequential(nn.Conv2d(in_channels, width, 9, 1, 4), nn.PReLU())
                self.blocks = nn.ModuleList([
                    Residual(nn.Conv2d(width, width, 3, 1, 1, bias=bias), norm_layer(norm, width), nn.PReLU(),
                             nn.Conv2d(width, width, 3, 1, 1, bias=bias), norm_layer(norm, width)) for _ in range(blocks)])
                self.trunk = nn.Sequential(nn.Conv2d(width, width, 3, 1, 1, bias=bias), norm_layer(norm, width))
                stages = []
                while upscale > 1:
                    stages += [nn.Conv2d(width, width * 4, 3, 1, 1), nn.PixelShuffle(2), nn.PReLU()]
                    upscale //= 2
                self.upsample = nn.Sequential(*stages)
                self.tail = nn.Sequential(nn.Conv2d(width, out_channels, 9, 1, 4), nn.Tanh())

            def forward(self, x):
                features = self.head(x)
                body = features
                for block in self.blocks:
                    body = block(body)
                return self.tail(self.upsample(features + self.trunk(body)))
        """

    /// CycleGAN's ResNet generator.
    static let resnet = """
        class ResnetBlock(nn.Module):
            def __init__(self, features, norm, bias):
                super().__init__()
                self.conv_block = nn.Sequential(
                    nn.ReflectionPad2d(1), nn.Conv2d(features, features, 3, bias=bias), norm_layer(norm, features), nn.ReLU(True),
                    nn.ReflectionPad2d(1), nn.Conv2d(features, features, 3, bias=bias), norm_layer(norm, features))

            def forward(self, x):
                return x + self.conv_block(x)


        class ResnetGenerator(nn.Module):
            def __init__(self, in_channels, out_channels, width, blocks, norm="instance"):
                super().__init__()
                bias = norm == "instance"
                layers = [nn.ReflectionPad2d(3), nn.Conv2d(in_channels, width, 7, bias=bias), norm_layer(norm, width), nn.ReLU(True)]
                for level in range(2):
                    features = width << level
                    layers += [nn.Conv2d(features, features * 2, 3, 2, 1, bias=bias), norm_layer(norm, features * 2), nn.ReLU(True)]
                layers += [ResnetBlock(width * 4, norm, bias) for _ in range(blocks)]
                for level in (1, 0):
                    features = width << (level + 1)
                    layers += [nn.ConvTranspose2d(features, features // 2, 3, 2, 1, output_padding=1, bias=bias),
                               norm_layer(norm, features // 2), nn.ReLU(True)]
                layers += [nn.ReflectionPad2d(3), nn.Conv2d(width, out_channels, 7), nn.Tanh()]
                self.model = nn.Sequential(*layers)

            def forward(self, x):
                return self.model(x)
        """
}
