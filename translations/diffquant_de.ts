<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de">
<context>
    <name>dq::gui::MainWindow</name>
    <message>
        <source>About DiffQuant Studio</source>
        <translation>Über DiffQuant Studio</translation>
    </message>
    <message>
        <source>DiffQuant Studio %1
Post-training quantization explorer for diffusion models.</source>
        <translation>DiffQuant Studio %1
Werkzeug zur Post-Training-Quantisierung von Diffusionsmodellen.</translation>
    </message>
    <message>
        <source>DiffQuant Studio</source>
        <translation>DiffQuant Studio</translation>
    </message>
    <message>
        <source>DiffQuant Studio — %1</source>
        <translation>DiffQuant Studio — %1</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Open model…</source>
        <translation>Modell ö&amp;ffnen …</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;About</source>
        <translation>Ü&amp;ber</translation>
    </message>
    <message>
        <source>Open a diffusers UNet2DModel folder</source>
        <translation>Einen diffusers-UNet2DModel-Ordner öffnen</translation>
    </message>
    <message>
        <source>Cannot open model</source>
        <translation>Modell kann nicht geöffnet werden</translation>
    </message>
    <message>
        <source>Loaded %1</source>
        <translation>%1 geladen</translation>
    </message>
    <message>
        <source>No model loaded. Use File › Open model… to open a diffusers UNet2DModel folder.</source>
        <translation>Kein Modell geladen. Öffnen Sie über Datei › Modell öffnen … einen diffusers-UNet2DModel-Ordner.</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;%2 parameters in %3 tensors · samples %4×%5×%5 · class conditioning: %6&lt;ul&gt;%7&lt;/ul&gt;</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;%2 Parameter in %3 Tensoren · Samples %4×%5×%5 · Klassenbedingung: %6&lt;ul&gt;%7&lt;/ul&gt;</translation>
    </message>
</context>
<context>
    <name>dq::widgets::LayerTable</name>
    <message>
        <source>Layer</source>
        <translation>Schicht</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>Shape</source>
        <translation>Form</translation>
    </message>
    <message>
        <source>  (shortcut split %1 + %2)</source>
        <translation>  (Shortcut-Aufteilung %1 + %2)</translation>
    </message>
</context>
</TS>
