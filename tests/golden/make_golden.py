#!/usr/bin/env python3
"""Golden fixtures from the original implementations, for the exactness tests.

The engine claims to compute what diffusers computes. These fixtures let a test
check that claim numerically instead of by reading code: diffusers v0.21.4 builds
each model from a small config with seeded random weights, saves it in the
diffusers folder layout (config.json + diffusion_pytorch_model.safetensors, as
save_pretrained writes them), and records inputs with its own outputs.

    apt-get install python3-torch python3-numpy python3-packaging python3-filelock \
        python3-importlib-metadata python3-pil python3-requests python3-regex python3-tqdm
    git -C diffusers archive v0.21.4 src | tar -x -C /tmp/diffusers-0.21.4
    git -C CLIP archive HEAD clip | tar -x -C /tmp/openai-clip   # OpenAI's CLIP code
    /usr/bin/python3 tests/golden/make_golden.py --diffusers /tmp/diffusers-0.21.4/src \
        --clip /tmp/openai-clip

No network is needed: tests/golden/standins supplies offline stand-ins for the
huggingface_hub and safetensors packages (Debian packages neither). The output
goes to tests/data/golden/<case>/, and tests/core/test_golden.cpp reads it.
Rerunning the script rewrites the same files bit for bit (fixed seeds, CPU).
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# Small configs that together cover every UNet2DModel feature the engine
# reproduces: class embeddings of both kinds, attention with several heads and
# with one head of all channels, centred input, mid-block scale, both
# sinusoid conventions and downsample paddings, 1 and 3 channels, 1 and 2
# layers per block.
UNET2D_CASES = {
    "unet2d_class_attention": dict(
        sample_size=8, in_channels=1, out_channels=1,
        block_out_channels=(8, 16),
        down_block_types=("DownBlock2D", "AttnDownBlock2D"),
        up_block_types=("AttnUpBlock2D", "UpBlock2D"),
        layers_per_block=1, attention_head_dim=4, norm_num_groups=4, norm_eps=1e-6,
        downsample_padding=0, flip_sin_to_cos=False, freq_shift=1, num_class_embeds=5,
    ),
    "unet2d_timestep_class": dict(
        sample_size=8, in_channels=3, out_channels=3, center_input_sample=True,
        block_out_channels=(8, 8, 16),
        down_block_types=("AttnDownBlock2D", "DownBlock2D", "AttnDownBlock2D"),
        up_block_types=("AttnUpBlock2D", "UpBlock2D", "AttnUpBlock2D"),
        layers_per_block=2, attention_head_dim=None, norm_num_groups=4,
        mid_block_scale_factor=1.41421356, class_embed_type="timestep",
    ),
    "unet2d_unconditional": dict(
        sample_size=8, in_channels=3, out_channels=3,
        block_out_channels=(8, 8, 16),
        down_block_types=("DownBlock2D", "AttnDownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "AttnUpBlock2D", "UpBlock2D"),
        layers_per_block=1, attention_head_dim=8, norm_num_groups=4, norm_eps=1e-6,
        downsample_padding=0, flip_sin_to_cos=False, freq_shift=1, add_attention=False,
    ),
}

# UNet2DConditionModel (Stable Diffusion's U-Net) in miniature: cross-attention
# transformer blocks in down, mid and up blocks, both projection kinds, heads
# given as SD 1.x gives them (attention_head_dim = number of heads, an int or
# a list), more than one transformer layer, a plain down and up block, one
# and two layers per block.
UNET2D_CONDITION_CASES = {
    "unet2d_condition_sd": dict(
        sample_size=8, in_channels=4, out_channels=4,
        block_out_channels=(8, 16),
        down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
        layers_per_block=2, norm_num_groups=4, cross_attention_dim=12, attention_head_dim=2,
    ),
    "unet2d_condition_linear": dict(
        sample_size=8, in_channels=4, out_channels=4,
        block_out_channels=(8, 8, 16),
        down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"),
        layers_per_block=1, norm_num_groups=4, cross_attention_dim=6, attention_head_dim=[1, 2, 4],
        use_linear_projection=True, transformer_layers_per_block=2, flip_sin_to_cos=False, freq_shift=1,
    ),
}
CONTEXT_TOKENS = 5

# AutoencoderKL (Stable Diffusion's VAE) in miniature: two encoder/decoder
# levels, so the padded stride-2 downsampler and the upsampler both appear.
VAE_CASES = {
    "vae_kl": dict(
        in_channels=3, out_channels=3, down_block_types=("DownEncoderBlock2D",) * 2,
        up_block_types=("UpDecoderBlock2D",) * 2, block_out_channels=(8, 16), layers_per_block=1,
        latent_channels=4, norm_num_groups=4, sample_size=16, scaling_factor=0.5,
    ),
}

# diffusers' DDIMScheduler with the training schedule of the shipped model.
DDIM_CONFIG = dict(
    num_train_timesteps=1000, beta_start=0.0001, beta_end=0.02, beta_schedule="linear",
    clip_sample=False, set_alpha_to_one=True, steps_offset=0, timestep_spacing="leading",
)
DDIM_STEPS = 10

# The other samplers, on the first UNet2DModel case, from the same noise:
# (fixture name, diffusers class, timestep_spacing). Each keeps its own rules.
SAMPLER_RUNS = [
    ("pndm_leading", "PNDMScheduler", "leading"),
    ("pndm_trailing", "PNDMScheduler", "trailing"),
    ("euler_leading", "EulerDiscreteScheduler", "leading"),
    ("euler_trailing", "EulerDiscreteScheduler", "trailing"),
    ("dpmpp2m_leading", "DPMSolverMultistepScheduler", "leading"),
    ("dpmpp2m_linspace", "DPMSolverMultistepScheduler", "linspace"),
]
BATCH = 3


def randomize(model, seed):
    """Seeded weights everywhere, including norms (diffusers initialises them to 1/0)."""
    import torch

    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in sorted(model.named_parameters()):
            fan_in = p[0].numel() if p.dim() > 1 else 1
            if p.dim() == 1 and (".norm" in name or "norm1" in name or "norm2" in name or "norm3" in name
                                 or "group_norm" in name or name.startswith("conv_norm")):
                base = 1.0 if name.endswith("weight") else 0.0
                p.copy_(base + 0.1 * torch.randn(p.shape, generator=g))
            elif p.dim() > 1:
                p.copy_(torch.randn(p.shape, generator=g) / fan_in ** 0.5)
            else:
                p.copy_(0.1 * torch.randn(p.shape, generator=g))


def make_unet2d_case(name, config, out_root, seed):
    import torch
    from diffusers import DDIMScheduler, UNet2DModel
    from safetensors.torch import save_file

    torch.manual_seed(seed)
    model = UNet2DModel(**config).eval()
    randomize(model, seed)
    folder = os.path.join(out_root, name)
    model.save_pretrained(folder, safe_serialization=True)

    g = torch.Generator().manual_seed(seed + 1)
    c, s = config["in_channels"], config["sample_size"]
    conditional = config.get("num_class_embeds") is not None or config.get("class_embed_type") is not None
    sample = torch.randn(BATCH, c, s, s, generator=g)
    timestep = torch.tensor([999, 431, 0][:BATCH], dtype=torch.int64)
    labels = torch.tensor([0, 3, 1][:BATCH], dtype=torch.int64) if conditional else None
    tensors = {"sample": sample, "timestep": timestep}
    if labels is not None:
        tensors["class_labels"] = labels
    with torch.no_grad():
        tensors["out"] = model(sample, timestep, class_labels=labels).sample

        # A full DDIM run from fixed noise, recording x_t after every step.
        scheduler = DDIMScheduler(**DDIM_CONFIG)
        scheduler.set_timesteps(DDIM_STEPS)
        x = torch.randn(BATCH, c, s, s, generator=g)
        tensors["ddim_noise"] = x.clone()
        tensors["ddim_timesteps"] = scheduler.timesteps.to(torch.int64)
        trajectory = []
        for t in scheduler.timesteps:
            eps = model(x, t, class_labels=labels).sample
            x = scheduler.step(eps, t, x, eta=0.0).prev_sample
            trajectory.append(x)
        tensors["ddim_trajectory"] = torch.stack(trajectory)
    save_file(tensors, os.path.join(folder, "golden.safetensors"),
              metadata={"diffusers": "0.21.4", "ddim": json.dumps(DDIM_CONFIG), "ddim_steps": str(DDIM_STEPS)})
    print(f"{name}: {sum(p.numel() for p in model.parameters())} parameters, "
          f"out scale {tensors['out'].abs().max().item():.3f}")


def make_sampler_runs(folder, seed):
    """Every intermediate sample of each scheduler in SAMPLER_RUNS, 10 steps."""
    import diffusers
    import torch
    from diffusers import UNet2DModel
    from safetensors.torch import load_file, save_file

    model = UNet2DModel.from_pretrained(folder).eval()
    golden = load_file(os.path.join(folder, "golden.safetensors"))
    labels = golden.get("class_labels")
    tensors = {"noise": golden["ddim_noise"]}
    common = {k: v for k, v in DDIM_CONFIG.items() if k not in ("clip_sample", "timestep_spacing")}
    for name, cls, spacing in SAMPLER_RUNS:
        options = dict(common, timestep_spacing=spacing)
        if cls == "PNDMScheduler":
            options["skip_prk_steps"] = True
        if cls == "EulerDiscreteScheduler":
            options.pop("set_alpha_to_one")
        if cls == "DPMSolverMultistepScheduler":
            options.pop("set_alpha_to_one")
            options.update(algorithm_type="dpmsolver++", solver_order=2)
        scheduler = getattr(diffusers, cls)(**options)
        scheduler.set_timesteps(DDIM_STEPS)
        x = golden["ddim_noise"] * scheduler.init_noise_sigma
        trajectory = []
        with torch.no_grad():
            for t in scheduler.timesteps:
                eps = model(scheduler.scale_model_input(x, t), t, class_labels=labels).sample
                x = scheduler.step(eps, t, x).prev_sample
                trajectory.append(x)
        tensors[name + "_timesteps"] = scheduler.timesteps.to(torch.int64)
        tensors[name + "_trajectory"] = torch.stack(trajectory)
        print(f"  {name}: {len(trajectory)} model evaluations")
    save_file(tensors, os.path.join(folder, "golden_samplers.safetensors"), metadata={"diffusers": "0.21.4"})


# A CLIP text encoder in miniature, built with OpenAI's own model code
# (clip/model.py: ResidualAttentionBlock with nn.MultiheadAttention, QuickGELU,
# the causal mask, ln_final) and saved under Hugging Face CLIPTextModel's key
# names and config, as Stable Diffusion pipelines hold it in text_encoder/.
TEXT_ENCODER = dict(vocab_size=60, width=16, layers=3, heads=2, context=12)


def load_openai_clip_module(clip_root, name):
    """One file of OpenAI's clip/ package (its __init__ would need torchvision)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("openai_clip_" + name, os.path.join(clip_root, "clip", name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_text_encoder(clip_root, c, seed):
    """A random CLIP text transformer from OpenAI's code; returns its state dict
    under Hugging Face's names, its config.json and its encode(ids, skip_last)."""
    import torch

    clip_model = load_openai_clip_module(clip_root, "model")
    torch.manual_seed(seed)
    mask = torch.empty(c["context"], c["context"]).fill_(float("-inf")).triu_(1)
    transformer = clip_model.Transformer(c["width"], c["layers"], c["heads"], attn_mask=mask).eval()
    token_embedding = torch.nn.Embedding(c["vocab_size"], c["width"])
    positional = torch.nn.Parameter(torch.empty(c["context"], c["width"]))
    ln_final = clip_model.LayerNorm(c["width"])
    modules = torch.nn.ModuleDict({"t": transformer, "e": token_embedding, "l": ln_final})
    randomize(modules, seed)
    g = torch.Generator().manual_seed(seed + 7)
    with torch.no_grad():
        positional.copy_(0.1 * torch.randn(positional.shape, generator=g))
        for name, p in modules.named_parameters():
            if name.startswith("l.") or ".ln_" in name:
                p.copy_((1.0 if name.endswith("weight") else 0.0) + 0.1 * torch.randn(p.shape, generator=g))

    def encode(ids, skip_last=0):
        with torch.no_grad():
            x = token_embedding(ids) + positional[: ids.shape[1]]
            x = x.permute(1, 0, 2)
            blocks = list(transformer.resblocks)
            for block in blocks[: len(blocks) - skip_last]:
                x = block(x)
            return ln_final(x.permute(1, 0, 2))

    w = c["width"]
    state = {
        "text_model.embeddings.token_embedding.weight": token_embedding.weight,
        "text_model.embeddings.position_embedding.weight": positional,
        "text_model.final_layer_norm.weight": ln_final.weight,
        "text_model.final_layer_norm.bias": ln_final.bias,
    }
    for i, block in enumerate(transformer.resblocks):
        p = f"text_model.encoder.layers.{i}."
        qkv_w, qkv_b = block.attn.in_proj_weight, block.attn.in_proj_bias
        for j, name in enumerate(["q_proj", "k_proj", "v_proj"]):
            state[p + f"self_attn.{name}.weight"] = qkv_w[j * w : (j + 1) * w]
            state[p + f"self_attn.{name}.bias"] = qkv_b[j * w : (j + 1) * w]
        state[p + "self_attn.out_proj.weight"] = block.attn.out_proj.weight
        state[p + "self_attn.out_proj.bias"] = block.attn.out_proj.bias
        state[p + "layer_norm1.weight"], state[p + "layer_norm1.bias"] = block.ln_1.weight, block.ln_1.bias
        state[p + "mlp.fc1.weight"], state[p + "mlp.fc1.bias"] = block.mlp.c_fc.weight, block.mlp.c_fc.bias
        state[p + "mlp.fc2.weight"], state[p + "mlp.fc2.bias"] = block.mlp.c_proj.weight, block.mlp.c_proj.bias
        state[p + "layer_norm2.weight"], state[p + "layer_norm2.bias"] = block.ln_2.weight, block.ln_2.bias
    state = {k: v.detach().clone() for k, v in state.items()}
    config = {
        "architectures": ["CLIPTextModel"], "model_type": "clip_text_model", "hidden_act": "quick_gelu",
        "hidden_size": w, "intermediate_size": 4 * w, "num_attention_heads": c["heads"],
        "num_hidden_layers": c["layers"], "max_position_embeddings": c["context"], "vocab_size": c["vocab_size"],
        "layer_norm_eps": 1e-5, "projection_dim": w, "torch_dtype": "float32", "bos_token_id": 0,
        "eos_token_id": 2, "pad_token_id": 1, "attention_dropout": 0.0, "dropout": 0.0,
        "initializer_factor": 1.0, "initializer_range": 0.02, "transformers_version": "4.33.0",
    }
    return state, config, encode


def save_text_encoder(folder, state, config):
    from safetensors.torch import save_file

    os.makedirs(folder, exist_ok=True)
    save_file(state, os.path.join(folder, "model.safetensors"), metadata={"format": "pt"})
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")


def make_text_encoder_case(clip_root, out_root, seed):
    import torch
    from safetensors.torch import save_file

    c = TEXT_ENCODER
    state, config, encode = build_text_encoder(clip_root, c, seed)
    folder = os.path.join(out_root, "clip_text_encoder")
    save_text_encoder(folder, state, config)
    g = torch.Generator().manual_seed(seed + 7)
    ids = torch.randint(0, c["vocab_size"], (BATCH, c["context"]), generator=g)
    tensors = {"input_ids": ids, "last_hidden_state": encode(ids, 0), "penultimate_hidden_state": encode(ids, 1)}
    save_file(tensors, os.path.join(folder, "golden.safetensors"), metadata={"reference": "openai/CLIP clip/model.py"})
    print(f"clip_text_encoder: {sum(v.numel() for v in state.values())} parameters")


# CLIP's tokenizer (OpenAI's simple_tokenizer.py) on prompts that exercise its
# rules, with the first TOKENIZER_MERGES merges of CLIP's own BPE file, written
# in the tokenizer/ layout of a pipeline (vocab.json, merges.txt). A shorter
# merge list changes which merges exist, not how they are applied.
TOKENIZER_MERGES = 4000
TOKENIZER_PROMPTS = [
    "a photo of a sneaker",
    "An Ankle Boot   on\tblack,\nstudio lighting!!",
    "don't stop: it's 12:45 -- we'll see; they'd I'M you've",
    "Café naïve façade, Straße",
    "東京の夜景 and 😀 emoji 🚀🚀",
    "İstanbul ΑΘΗΝΑ",
    "fish &amp; chips &lt;3 &#169; &#x263A;",
    "<|startoftext|>already marked<|endoftext|> !!<|endoftext|>",
    "",
    "   ",
    " ".join(["trousers"] * 40) + " end",
    "x" * 300,
    "a 1234567 b3c 4th",
]


def make_tokenizer_case(clip_root, out_root):
    import gzip
    import importlib.util
    import types

    # ftfy is not packaged for Debian; fix_text leaves text that needs no
    # fixing unchanged, and the prompts above need none.
    sys.modules["ftfy"] = types.SimpleNamespace(fix_text=lambda text: text)
    spec = importlib.util.spec_from_file_location("openai_clip_tokenizer",
                                                  os.path.join(clip_root, "clip", "simple_tokenizer.py"))
    tok_module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tok_module)

    lines = gzip.open(os.path.join(clip_root, "clip", "bpe_simple_vocab_16e6.txt.gz")).read().decode("utf-8").split("\n")
    kept = lines[: TOKENIZER_MERGES + 1]
    folder = os.path.join(out_root, "clip_tokenizer")
    os.makedirs(folder, exist_ok=True)
    bpe_path = os.path.join(folder, "bpe.txt.gz.tmp")
    with gzip.open(bpe_path, "wb") as f:
        f.write("\n".join(kept).encode("utf-8"))
    tokenizer = tok_module.SimpleTokenizer(bpe_path)
    os.remove(bpe_path)
    global TOKENIZER_REFERENCE
    TOKENIZER_REFERENCE = tokenizer

    # The same vocabulary in Hugging Face CLIPTokenizer's files.
    with open(os.path.join(folder, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer.encoder, f, ensure_ascii=False)
    with open(os.path.join(folder, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "\n".join(kept[1:]) + "\n")
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump({"model_max_length": 77, "pad_token": "<|endoftext|>", "bos_token": "<|startoftext|>",
                   "eos_token": "<|endoftext|>", "do_lower_case": True, "tokenizer_class": "CLIPTokenizer"}, f, indent=2)
    cases = [{"prompt": p, "ids": tokenizer.encode(p)} for p in TOKENIZER_PROMPTS]
    with open(os.path.join(folder, "golden.json"), "w", encoding="utf-8") as f:
        json.dump({"reference": "openai/CLIP clip/simple_tokenizer.py", "cases": cases}, f, ensure_ascii=False, indent=1)
    print(f"clip_tokenizer: {len(tokenizer.encoder)} tokens, {len(cases)} prompts")


# A whole Stable Diffusion pipeline folder in miniature (model_index.json,
# tokenizer/, text_encoder/, unet/, vae/, scheduler/), and 10 guided steps of
# StableDiffusionPipeline's loop (prompt and negative prompt through the
# tokenizer and text encoder, [unconditional; conditional] batches, guidance
# 7.5, VAE decode of latents / scaling_factor) with PNDM and with DDIM.
PIPELINE_PROMPT, PIPELINE_NEGATIVE, PIPELINE_GUIDANCE = "a photo of an ankle boot", "blurry", 7.5
PIPELINE_SCHEDULER = dict(
    _class_name="PNDMScheduler", num_train_timesteps=1000, beta_start=0.00085, beta_end=0.012,
    beta_schedule="scaled_linear", skip_prk_steps=True, set_alpha_to_one=False, steps_offset=1,
    timestep_spacing="leading", prediction_type="epsilon", trained_betas=None, clip_sample=False,
)


def make_pipeline_case(clip_root, out_root, seed):
    import shutil

    import diffusers
    import torch
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from safetensors.torch import save_file

    folder = os.path.join(out_root, "sd_pipeline")
    os.makedirs(folder, exist_ok=True)
    shutil.copytree(os.path.join(out_root, "clip_tokenizer"), os.path.join(folder, "tokenizer"), dirs_exist_ok=True)
    os.remove(os.path.join(folder, "tokenizer", "golden.json"))
    with open(os.path.join(folder, "tokenizer", "vocab.json"), encoding="utf-8") as f:
        vocab = json.load(f)
    sot, eot = vocab["<|startoftext|>"], vocab["<|endoftext|>"]

    def ids_of(prompt):
        body = TOKENIZER_REFERENCE.encode(prompt)[:75]
        ids = [sot] + body + [eot]
        return torch.tensor([ids + [eot] * (77 - len(ids))])

    width = 12
    state, config, encode = build_text_encoder(
        clip_root, dict(vocab_size=len(vocab), width=width, layers=2, heads=2, context=77), seed)
    save_text_encoder(os.path.join(folder, "text_encoder"), state, config)

    torch.manual_seed(seed)
    unet = UNet2DConditionModel(**dict(UNET2D_CONDITION_CASES["unet2d_condition_sd"], cross_attention_dim=width,
                                       layers_per_block=1)).eval()
    randomize(unet, seed)
    unet.save_pretrained(os.path.join(folder, "unet"), safe_serialization=True)
    vae = AutoencoderKL(**VAE_CASES["vae_kl"]).eval()
    randomize(vae, seed + 1)
    vae.save_pretrained(os.path.join(folder, "vae"), safe_serialization=True)
    os.makedirs(os.path.join(folder, "scheduler"), exist_ok=True)
    with open(os.path.join(folder, "scheduler", "scheduler_config.json"), "w") as f:
        json.dump(PIPELINE_SCHEDULER, f, indent=2)
    with open(os.path.join(folder, "model_index.json"), "w") as f:
        json.dump({"_class_name": "StableDiffusionPipeline", "_diffusers_version": "0.21.4",
                   "scheduler": ["diffusers", "PNDMScheduler"], "text_encoder": ["transformers", "CLIPTextModel"],
                   "tokenizer": ["transformers", "CLIPTokenizer"], "unet": ["diffusers", "UNet2DConditionModel"],
                   "vae": ["diffusers", "AutoencoderKL"], "safety_checker": [None, None],
                   "feature_extractor": [None, None], "requires_safety_checker": False}, f, indent=2)

    prompt_ids, negative_ids = ids_of(PIPELINE_PROMPT), ids_of(PIPELINE_NEGATIVE)
    embeds = torch.cat([encode(negative_ids), encode(prompt_ids)])
    g = torch.Generator().manual_seed(seed + 2)
    noise = torch.randn(1, 4, 8, 8, generator=g)
    tensors = {"noise": noise, "prompt_ids": prompt_ids, "negative_ids": negative_ids}
    # As a pipeline builds them: from the folder's scheduler config (DDIM: swapped in with from_config).
    for name, scheduler in [("pndm", diffusers.PNDMScheduler.from_config(PIPELINE_SCHEDULER)),
                            ("ddim", diffusers.DDIMScheduler.from_config(PIPELINE_SCHEDULER))]:
        scheduler.set_timesteps(DDIM_STEPS)
        latents = noise * scheduler.init_noise_sigma
        with torch.no_grad():
            for t in scheduler.timesteps:
                model_input = scheduler.scale_model_input(torch.cat([latents] * 2), t)
                uncond, cond = unet(model_input, t, encoder_hidden_states=embeds).sample.chunk(2)
                noise_pred = uncond + PIPELINE_GUIDANCE * (cond - uncond)
                latents = scheduler.step(noise_pred, t, latents).prev_sample
            image = vae.decode(latents / vae.config.scaling_factor).sample
        tensors[name + "_latents"], tensors[name + "_image"] = latents, image
    save_file(tensors, os.path.join(folder, "golden.safetensors"), metadata={"diffusers": "0.21.4"})
    print(f"sd_pipeline: latents scale {tensors['pndm_latents'].abs().max().item():.3f}")


def make_unet2d_condition_case(name, config, out_root, seed):
    import torch
    from diffusers import UNet2DConditionModel
    from safetensors.torch import save_file

    torch.manual_seed(seed)
    model = UNet2DConditionModel(**config).eval()
    randomize(model, seed)
    folder = os.path.join(out_root, name)
    model.save_pretrained(folder, safe_serialization=True)

    g = torch.Generator().manual_seed(seed + 1)
    c, s = config["in_channels"], config["sample_size"]
    sample = torch.randn(BATCH, c, s, s, generator=g)
    timestep = torch.tensor([999, 431, 0][:BATCH], dtype=torch.int64)
    context = torch.randn(BATCH, CONTEXT_TOKENS, config["cross_attention_dim"], generator=g)
    with torch.no_grad():
        out = model(sample, timestep, encoder_hidden_states=context).sample
    save_file({"sample": sample, "timestep": timestep, "encoder_hidden_states": context, "out": out},
              os.path.join(folder, "golden.safetensors"), metadata={"diffusers": "0.21.4"})
    print(f"{name}: {sum(p.numel() for p in model.parameters())} parameters, out scale {out.abs().max().item():.3f}")


def make_vae_case(name, config, out_root, seed):
    import torch
    from diffusers import AutoencoderKL
    from safetensors.torch import save_file

    torch.manual_seed(seed)
    vae = AutoencoderKL(**config).eval()
    randomize(vae, seed)
    folder = os.path.join(out_root, name)
    vae.save_pretrained(folder, safe_serialization=True)

    g = torch.Generator().manual_seed(seed + 1)
    s = config["sample_size"]
    factor = 2 ** (len(config["block_out_channels"]) - 1)
    image = torch.rand(BATCH - 1, config["in_channels"], s, s, generator=g) * 2 - 1
    latents = torch.randn(BATCH - 1, config["latent_channels"], s // factor, s // factor, generator=g)
    with torch.no_grad():
        posterior = vae.encode(image).latent_dist
        decoded = vae.decode(latents).sample
    save_file({"image": image, "latent_mean": posterior.mean, "latent_logvar": posterior.logvar,
               "latents": latents, "decoded": decoded},
              os.path.join(folder, "golden.safetensors"), metadata={"diffusers": "0.21.4"})
    print(f"{name}: {sum(p.numel() for p in vae.parameters())} parameters, decoded scale {decoded.abs().max().item():.3f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--diffusers", required=True, help="diffusers v0.21.4 'src' folder")
    parser.add_argument("--clip", help="folder holding OpenAI CLIP's clip/ package (for the text encoder case)")
    parser.add_argument("--out", default=os.path.join(HERE, "..", "data", "golden"))
    args = parser.parse_args()
    sys.path[:0] = [os.path.join(HERE, "standins"), os.path.abspath(args.diffusers)]

    import diffusers
    import torch

    if diffusers.__version__ != "0.21.4":
        sys.exit(f"expected diffusers 0.21.4, found {diffusers.__version__} in {args.diffusers}")
    torch.set_num_threads(1)  # reproducible reductions
    # diffusers' Attention.get_attention_scores calls baddbmm(empty, ..., beta=0).
    # Torch 1.13's small-matrix CPU kernel still multiplies its uninitialised
    # output by beta, so NaN appears now and then (about one call in 500 on
    # the 2x2 attention of unet2d_timestep_class). The engine has the fix in
    # AttentionBlock::compute; the reference gets the same one here, in place
    # on zeros, which is bit-identical whenever the original call is finite.
    original_baddbmm = torch.baddbmm

    def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
        if beta == 0 and out is None:
            return torch.zeros_like(input).baddbmm_(batch1, batch2, beta=0, alpha=alpha)
        return original_baddbmm(input, batch1, batch2, beta=beta, alpha=alpha, out=out)

    torch.baddbmm = baddbmm
    os.makedirs(args.out, exist_ok=True)
    for i, (name, config) in enumerate(UNET2D_CASES.items()):
        make_unet2d_case(name, config, args.out, seed=1000 + i)
    make_sampler_runs(os.path.join(args.out, "unet2d_class_attention"), seed=1500)
    for i, (name, config) in enumerate(UNET2D_CONDITION_CASES.items()):
        make_unet2d_condition_case(name, config, args.out, seed=2000 + i)
    for i, (name, config) in enumerate(VAE_CASES.items()):
        make_vae_case(name, config, args.out, seed=3000 + i)
    if args.clip:
        make_text_encoder_case(args.clip, args.out, seed=4000)
        make_tokenizer_case(args.clip, args.out)
        make_pipeline_case(args.clip, args.out, seed=5000)


if __name__ == "__main__":
    main()
