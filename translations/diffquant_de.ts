<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de">
<context>
    <name>QObject</name>
    <message>
        <location filename="../widgets/progress_status.cpp" line="+15"/>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 min %2 s</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
</context>
<context>
    <name>dq::gui::AllocateDialog</name>
    <message>
        <location filename="../app/gui/allocate_dialog.cpp" line="+112"/>
        <source>Allocate weight widths</source>
        <translation>Gewichtsbreiten zuteilen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Apply to the plan</source>
        <translation>Auf den Plan anwenden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Average weight width, weighted by each site&apos;s weight count</source>
        <translation>Mittlere Gewichtsbreite, gewichtet mit der Gewichtszahl jeder Stelle</translation>
    </message>
    <message>
        <location line="-19"/>
        <location line="+21"/>
        <source>Prediction: the sum of each site&apos;s error measured alone.</source>
        <translation>Vorhersage: die Summe der einzeln gemessenen Fehler jeder Stelle.</translation>
    </message>
    <message>
        <location line="-15"/>
        <source>not computed</source>
        <translation>nicht berechnet</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>No frontier (%1): each budget is solved here, more slowly.</source>
        <translation>Keine Pareto-Front (%1): jedes Budget wird hier gelöst, langsamer.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Computing the frontier on the worker…</source>
        <translation>Die Pareto-Front wird im Hintergrund berechnet …</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>average weight width (bits)</source>
        <translation>mittlere Gewichtsbreite (Bit)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>predicted SQNR of ε (dB)</source>
        <translation>vorhergesagtes SQNR von ε (dB)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>optimal allocation</source>
        <translation>optimale Zuteilung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>uniform width</source>
        <translation>einheitliche Breite</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>current plan</source>
        <translation>aktueller Plan</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>this budget</source>
        <translation>dieses Budget</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Current plan: %1 average weight bits, %2 KiB, predicted %3 dB.</source>
        <translation>Aktueller Plan: %1 Bit mittlere Gewichtsbreite, %2 KiB, vorhergesagt %3 dB.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Current plan: uses widths the sweep did not measure; not plotted.</source>
        <translation>Aktueller Plan: nutzt Breiten, die die Messung nicht erfasst hat; nicht eingezeichnet.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>%1 bits</source>
        <translation>%1 Bit</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Computing the allocations on the worker…</source>
        <translation>Die Zuteilungen werden im Hintergrund berechnet …</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>%1 bits: %2</source>
        <translation>%1 Bit: %2</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Predicted: %1 average weight bits · %2 KiB of weights · SQNR %3 dB · %4</source>
        <translation>Vorhersage: %1 Bit mittlere Gewichtsbreite · %2 KiB Gewichte · SQNR %3 dB · %4</translation>
    </message>
</context>
<context>
    <name>dq::gui::GenerationPanel</name>
    <message>
        <location filename="../app/gui/generation_panel.cpp" line="+99"/>
        <source>Seed</source>
        <translation>Seed</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Class</source>
        <translation>Klasse</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Guidance</source>
        <translation>Guidance</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Steps</source>
        <translation>Schritte</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Spacing</source>
        <translation>Schrittabstand</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Images</source>
        <translation>Bilder</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>|Difference|</source>
        <translation>|Differenz|</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>model default</source>
        <translation>Modellstandard</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>mixed</source>
        <translation>gemischt</translation>
    </message>
    <message>
        <location line="-17"/>
        <source>Classifier-free guidance scale (1: none; needs a model with a null class)</source>
        <translation>Stärke der Classifier-free Guidance (1: keine; erfordert ein Modell mit Null-Klasse)</translation>
    </message>
    <message>
        <location line="-7"/>
        <source>Prompt</source>
        <translation>Prompt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Negative prompt</source>
        <translation>Negativer Prompt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a photo of an ankle boot</source>
        <translation>a photo of an ankle boot</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>empty: unconditional</source>
        <translation>leer: unbedingt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The text every image is generated from (text-to-image pipelines)</source>
        <translation>Der Text, aus dem jedes Bild erzeugt wird (Text-zu-Bild-Pipelines)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The unconditional text that guidance steers away from</source>
        <translation>Der unbedingte Text, von dem die Guidance wegführt</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Amplification of the |FP − quantized| difference image</source>
        <translation>Verstärkung des Differenzbilds |FP − quantisiert|</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Generate</source>
        <translation>Erzeugen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save PNG…</source>
        <translation>PNG speichern …</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>class %1</source>
        <translation>Klasse %1</translation>
    </message>
    <message>
        <location line="+86"/>
        <source>Predicted x0 at step %1 / %2</source>
        <translation>Vorhergesagtes x0 in Schritt %1 / %2</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Press Generate to sample from the same noise with the FP and the quantized model.</source>
        <translation>Klicken Sie auf „Erzeugen“, um mit dem FP- und dem quantisierten Modell aus demselben Rauschen zu sampeln.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>“%1”</source>
        <translation>„%1“</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>mixed classes</source>
        <translation>gemischte Klassen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>seed %1 · %2 · guidance %3 · %4 steps</source>
        <translation>Seed %1 · %2 · Guidance %3 · %4 Schritte</translation>
    </message>
    <message>
        <location line="+29"/>
        <location line="+3"/>
        <source>FP</source>
        <translation>FP</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Quantized</source>
        <translation>Quantisiert</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>|FP − quantized| × %1</source>
        <translation>|FP − quantisiert| × %1</translation>
    </message>
    <message>
        <location line="-23"/>
        <source>Paired PSNR %1 dB · SSIM %2 · MSE %3   (%4)</source>
        <translation>Gepaartes PSNR %1 dB · SSIM %2 · MSE %3   (%4)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>FP (no quantized model yet: press Calibrate)</source>
        <translation>FP (noch kein quantisiertes Modell: „Kalibrieren“ klicken)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>FP x_t</source>
        <translation>FP-x_t</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>FP predicted x0</source>
        <translation>FP-x0 (vorhergesagt)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Quantized x_t</source>
        <translation>Quantisiertes x_t</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Quantized predicted x0</source>
        <translation>Quantisiertes x0 (vorhergesagt)</translation>
    </message>
</context>
<context>
    <name>dq::gui::HeatmapPanel</name>
    <message>
        <location filename="../app/gui/heatmap_panel.cpp" line="+50"/>
        <source>Activation range (max − min)</source>
        <translation>Aktivierungsbereich (max − min)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Output SQNR (dB)</source>
        <translation>Ausgangs-SQNR (dB)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Bimodality coefficient</source>
        <translation>Bimodalitätskoeffizient</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Activation width of the plan (bits)</source>
        <translation>Aktivierungsbreite des Plans (Bit)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Images</source>
        <translation>Bilder</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Images sampled (mixed classes) while collecting statistics</source>
        <translation>Beim Sammeln der Statistiken gesampelte Bilder (gemischte Klassen)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Collect statistics</source>
        <translation>Statistiken sammeln</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>%1 · text</source>
        <translation>%1 · Text</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Calibrate to see the quantized model&apos;s SQNR.</source>
        <translation>Kalibrieren Sie, um das SQNR des quantisierten Modells zu sehen.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Waiting for statistics…</source>
        <translation>Warte auf Statistiken …</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>%1 sites × %2 steps · columns are timesteps t · click a cell to inspect it</source>
        <translation>%1 Stellen × %2 Schritte · Spalten sind Zeitschritte t · Zelle anklicken, um sie zu untersuchen</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Open a model to see the plan&apos;s widths.</source>
        <translation>Öffnen Sie ein Modell, um die Breiten des Plans zu sehen.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>step %1</source>
        <translation>Schritt %1</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 sites × %2 sampling steps · relaxed steps show their wider width · blank: floating point</source>
        <translation>%1 Stellen × %2 Sampling-Schritte · gelockerte Schritte zeigen ihre größere Breite · leer: Gleitkomma</translation>
    </message>
</context>
<context>
    <name>dq::gui::HistogramPanel</name>
    <message>
        <location filename="../app/gui/histogram_panel.cpp" line="+90"/>
        <source>FP model</source>
        <translation>FP-Modell</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Quantized model</source>
        <translation>Quantisiertes Modell</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Quantization grid</source>
        <translation>Quantisierungsraster</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Log counts</source>
        <translation>Logarithmische Häufigkeiten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Activations</source>
        <translation>Aktivierungen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Weights</source>
        <translation>Gewichte</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>activation value</source>
        <translation>Aktivierungswert</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+1"/>
        <source>count</source>
        <translation>Anzahl</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>weight value</source>
        <translation>Gewichtswert</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>output channel</source>
        <translation>Ausgangskanal</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>weight range</source>
        <translation>Gewichtsbereich</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>%1 · text</source>
        <translation>%1 · Text</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Text-dependent: its input comes from the prompt&apos;s encoder states, the same at every timestep.</source>
        <translation>Textabhängig: Die Eingabe stammt aus den Encoder-Zuständen des Prompts und ist in jedem Zeitschritt gleich.</translation>
    </message>
    <message>
        <location line="+74"/>
        <source>no statistics yet</source>
        <translation>noch keine Statistiken</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Statistics appear after the model is loaded (FP) and calibrated (quantized).</source>
        <translation>Statistiken erscheinen, sobald das Modell geladen (FP) und kalibriert (quantisiert) ist.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>step %1 / %2 · t = %3</source>
        <translation>Schritt %1 / %2 · t = %3</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>quantized</source>
        <translation>quantisiert</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>FP</source>
        <translation>FP</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>input</source>
        <translation>Eingang</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 %2 (b = %3)</source>
        <translation>%1 %2 (b = %3)</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1 %2: min %3, max %4, mean %5, std %6, bimodality %7</source>
        <translation>%1 %2: min %3, max %4, Mittelwert %5, Std.-Abw. %6, Bimodalität %7</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>output SQNR at this step: %1 dB</source>
        <translation>Ausgangs-SQNR in diesem Schritt: %1 dB</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>%1-bit grid (%2)</source>
        <translation>%1-Bit-Raster (%2)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1-bit grid</source>
        <translation>%1-Bit-Raster</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1: clip [%2, %3], scale %4, zero point %5</source>
        <translation>%1: Clipping [%2, %3], Skalierung %4, Nullpunkt %5</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>This site&apos;s input stays in floating point.</source>
        <translation>Der Eingang dieser Stelle bleibt in Gleitkommadarstellung.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 · step %2 · t = %3</source>
        <translation>%1 · Schritt %2 · t = %3</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>quantized weights</source>
        <translation>quantisierte Gewichte</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>FP weights</source>
        <translation>FP-Gewichte</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>%1 has no weights (attention operand) or no statistics yet.</source>
        <translation>%1 hat keine Gewichte (Attention-Operand) oder noch keine Statistiken.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 · weights</source>
        <translation>%1 · Gewichte</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 · per-channel min/max</source>
        <translation>%1 · min/max pro Kanal</translation>
    </message>
</context>
<context>
    <name>dq::gui::LayerTools</name>
    <message>
        <location filename="../app/gui/layer_tools.cpp" line="+62"/>
        <source>Filter sites, e.g. up_blocks.2</source>
        <translation>Stellen filtern, z. B. up_blocks.2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>all kinds</source>
        <translation>alle Arten</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Conv2d</source>
        <translation>Conv2d</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Linear</source>
        <translation>Linear</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>attention operands</source>
        <translation>Attention-Operanden</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>shortcut sites</source>
        <translation>Shortcut-Stellen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>by block</source>
        <translation>nach Block</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Group the sites under their blocks; unchecked, one list sorts across blocks</source>
        <translation>Stellen unter ihren Blöcken gruppieren; ohne Haken sortiert eine Liste über alle Blöcke</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Measure sensitivity</source>
        <translation>Empfindlichkeit messen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Quantize each site alone, and all sites but each one, at several widths, on the calibration inputs: the Sensitivity column shows the result</source>
        <translation>Jede Stelle allein und alle Stellen außer ihr bei mehreren Breiten auf den Kalibrierdaten quantisieren: die Spalte Empfindlichkeit zeigt das Ergebnis</translation>
    </message>
    <message>
        <location line="+2"/>
        <source> bits</source>
        <translation> Bit</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Average weight width (weighted by each site&apos;s weight count) for the allocation</source>
        <translation>Mittlere Gewichtsbreite (gewichtet mit der Gewichtszahl jeder Stelle) für die Zuteilung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Allocate…</source>
        <translation>Zuteilen …</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose each site&apos;s weight width for this average, least predicted error first (from the sensitivity sweep)</source>
        <translation>Die Gewichtsbreite jeder Stelle für diesen Mittelwert wählen, mit dem kleinsten vorhergesagten Fehler (aus der Empfindlichkeitsmessung)</translation>
    </message>
</context>
<context>
    <name>dq::gui::MainWindow</name>
    <message>
        <location filename="../app/gui/main_window.cpp" line="+198"/>
        <source>About DiffQuant Studio</source>
        <translation>Über DiffQuant Studio</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>DiffQuant Studio %1
Post-training quantization explorer for diffusion models.</source>
        <translation>DiffQuant Studio %1
Werkzeug zur Post-Training-Quantisierung von Diffusionsmodellen.</translation>
    </message>
    <message>
        <location line="+118"/>
        <source>Open a diffusers model folder (UNet2DModel, or a Stable Diffusion pipeline)</source>
        <translation>Einen diffusers-Modellordner öffnen (UNet2DModel oder eine Stable-Diffusion-Pipeline)</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>(none)</source>
        <translation>(keine)</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>DiffQuant Studio</source>
        <translation>DiffQuant Studio</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>DiffQuant Studio — %1</source>
        <translation>DiffQuant Studio — %1</translation>
    </message>
    <message>
        <location line="-150"/>
        <source>Saved %1 (%2 KiB, %3× smaller than the FP weights)</source>
        <translation>%1 gespeichert (%2 KiB, %3× kleiner als die FP-Gewichte)</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Open model…</source>
        <translation>Modell ö&amp;ffnen …</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Recent models</source>
        <translation>Zuletzt verwendete Modelle</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>S&amp;hipped models</source>
        <translation>&amp;Mitgelieferte Modelle</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Fashion-MNIST &amp;text-to-image (latent, prompts)</source>
        <translation>Fashion-MNIST &amp;Text-zu-Bild (latent, Prompts)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Fashion-MNIST &amp;DDPM (class-conditional)</source>
        <translation>Fashion-MNIST &amp;DDPM (klassenbedingt)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open &amp;quantized model…</source>
        <translation>&amp;Quantisiertes Modell öffnen …</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Save quantized model…</source>
        <translation>Quantisiertes Modell &amp;speichern …</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save comparison as &amp;PNG…</source>
        <translation>Vergleich als &amp;PNG speichern …</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Run</source>
        <translation>A&amp;usführen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Calibrate</source>
        <translation>&amp;Kalibrieren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Generate comparison</source>
        <translation>Vergleich &amp;erzeugen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Collect &amp;statistics</source>
        <translation>&amp;Statistiken sammeln</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Evaluate…</source>
        <translation>E&amp;valuieren …</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>C&amp;ancel</source>
        <translation>&amp;Abbrechen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Language</source>
        <translation>&amp;Sprache</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;About</source>
        <translation>Ü&amp;ber</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Quantization</source>
        <translation>Quantisierung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Layers</source>
        <translation>Schichten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Histogram</source>
        <translation>Histogramm</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Layer × timestep</source>
        <translation>Schicht × Zeitschritt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Log</source>
        <translation>Protokoll</translation>
    </message>
    <message>
        <location line="+118"/>
        <source>No model loaded. Use File › Open model… to open a diffusers UNet2DModel folder or a Stable Diffusion pipeline folder.</source>
        <translation>Kein Modell geladen. Öffnen Sie über Datei › Modell öffnen … einen diffusers-UNet2DModel-Ordner oder einen Stable-Diffusion-Pipeline-Ordner.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;%2 parameters · %3×%4×%4 samples · classes: %5 · %6 on %7&lt;br&gt;%8 quantization sites, %9 with cat(h, skip) inputs (%10 of them the raw concatenation ⑃), %11 attention operands (◆)</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;%2 Parameter · %3×%4×%4 Samples · Klassen: %5 · %6 auf %7&lt;br&gt;%8 Quantisierungsstellen, %9 mit cat(h, skip)-Eingang (davon %10 mit der rohen Verkettung ⑃), %11 Attention-Operanden (◆)</translation>
    </message>
    <message numerus="yes">
        <location line="+8"/>
        <source>%n tensors</source>
        <translation>
            <numerusform>%n Tensor</numerusform>
            <numerusform>%n Tensoren</numerusform>
        </translation>
    </message>
    <message>
        <location line="+112"/>
        <source>Not calibrated: comparisons show the FP model only.</source>
        <translation>Nicht kalibriert: Vergleiche zeigen nur das FP-Modell.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Calibrated %1 (%2 s).</source>
        <translation>%1 kalibriert (%2 s).</translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>%n site(s) changed since calibration: press Calibrate.</source>
        <translation>
            <numerusform>%n Stelle seit der Kalibrierung geändert: „Kalibrieren“ klicken.</numerusform>
            <numerusform>%n Stellen seit der Kalibrierung geändert: „Kalibrieren“ klicken.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Cannot calibrate</source>
        <translation>Kalibrierung nicht möglich</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+13"/>
        <location line="+92"/>
        <location line="+17"/>
        <source>Open a model first.</source>
        <translation>Öffnen Sie zuerst ein Modell.</translation>
    </message>
    <message>
        <location line="-109"/>
        <source>Cannot measure sensitivity</source>
        <translation>Empfindlichkeit kann nicht gemessen werden</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Sensitivity of %1 sites measured in %2 s: all weights at %3 bits give %4 dB, all activations at %5 bits %6 dB. Sort by the Sensitivity column to see the sites that matter most.</source>
        <translation>Empfindlichkeit von %1 Stellen in %2 s gemessen: alle Gewichte mit %3 Bit ergeben %4 dB, alle Aktivierungen mit %5 Bit %6 dB. Nach der Spalte Empfindlichkeit sortieren, um die wichtigsten Stellen zu sehen.</translation>
    </message>
    <message>
        <location line="+13"/>
        <location line="+7"/>
        <location line="+28"/>
        <source>Cannot allocate</source>
        <translation>Zuteilung nicht möglich</translation>
    </message>
    <message>
        <location line="-35"/>
        <location line="+35"/>
        <source>Measure the sensitivity first.</source>
        <translation>Zuerst die Empfindlichkeit messen.</translation>
    </message>
    <message>
        <location line="-11"/>
        <source>%1 bits: %2</source>
        <translation>%1 Bit: %2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Allocated %1 average weight bits (%2); predicted SQNR %3 dB. Press Calibrate to apply.</source>
        <translation>%1 Bit mittlere Gewichtsbreite zugeteilt (%2); vorhergesagtes SQNR %3 dB. Zum Anwenden Kalibrieren drücken.</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>the worker is not running</source>
        <translation>der Hintergrund-Thread läuft nicht</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Cannot generate</source>
        <translation>Erzeugen nicht möglich</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Cannot evaluate</source>
        <translation>Evaluierung nicht möglich</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Evaluate</source>
        <translation>Evaluieren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Number of samples (FID, sFID, IS, class accuracy; with a quantized model also FID-to-FP and paired PSNR/SSIM):</source>
        <translation>Anzahl der Samples (FID, sFID, IS, Klassengenauigkeit; mit quantisiertem Modell zusätzlich FID zu FP sowie gepaartes PSNR/SSIM):</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Cancelling…</source>
        <translation>Wird abgebrochen …</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Operation failed</source>
        <translation>Vorgang fehlgeschlagen</translation>
    </message>
    <message>
        <location line="+94"/>
        <source>prompts</source>
        <translation>Prompts</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>held-out</source>
        <translation>zurückgehalten</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>calibration</source>
        <translation>Kalibrierung</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>samples</source>
        <translation>Samples</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>FID</source>
        <translation>FID</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>sFID</source>
        <translation>sFID</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>IS</source>
        <translation>IS</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>%1 ± %2</source>
        <translation>%1 ± %2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>class accuracy</source>
        <translation>Klassengenauigkeit</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>n/a</source>
        <translation>k. A.</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>%1 %</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>FID to FP</source>
        <translation>FID zu FP</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>paired PSNR</source>
        <translation>gepaarter PSNR</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>%1 dB</source>
        <translation>%1 dB</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>paired SSIM</source>
        <translation>gepaarte SSIM</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>FP model&apos;s FID</source>
        <translation>FID des FP-Modells</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&lt;tr&gt;&lt;td&gt;wall time&lt;/td&gt;&lt;td align=right&gt;%1 s&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</source>
        <translation>&lt;tr&gt;&lt;td&gt;Laufzeit&lt;/td&gt;&lt;td align=right&gt;%1 s&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Evaluation</source>
        <translation>Evaluierung</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Open a quantized model (diffquant calibrate --out)</source>
        <translation>Quantisiertes Modell öffnen (diffquant calibrate --out)</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Nothing to save</source>
        <translation>Nichts zu speichern</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Calibrate a quantized model first.</source>
        <translation>Kalibrieren Sie zuerst ein quantisiertes Modell.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save the quantized model as a folder</source>
        <translation>Quantisiertes Modell als Ordner speichern</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Saved %1</source>
        <translation>%1 gespeichert</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Save the comparison as PNG</source>
        <translation>Vergleich als PNG speichern</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>PNG images (*.png)</source>
        <translation>PNG-Bilder (*.png)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Cannot save the comparison</source>
        <translation>Vergleich kann nicht gespeichert werden</translation>
    </message>
    <message>
        <location line="-458"/>
        <source>Loaded %1</source>
        <translation>%1 geladen</translation>
    </message>
</context>
<context>
    <name>dq::gui::QuantizationPanel</name>
    <message>
        <location filename="../app/gui/quantization_panel.cpp" line="+129"/>
        <source>Preset</source>
        <translation>Voreinstellung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Range method</source>
        <translation>Bereichsmethode</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Shortcuts</source>
        <translation>Shortcuts</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Softmax bits</source>
        <translation>Softmax-Bits</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>First/last layer</source>
        <translation>Erste/letzte Schicht</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Activation grids</source>
        <translation>Aktivierungsraster</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Timestep sampling</source>
        <translation>Zeitschritt-Sampling</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Normal mean (×T)</source>
        <translation>Normal-Mittelwert (×T)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Normal std (×T)</source>
        <translation>Normal-Std.-Abw. (×T)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>cali_st</source>
        <translation>cali_st</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>cali_n</source>
        <translation>cali_n</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Calibration prompts</source>
        <translation>Kalibrierungs-Prompts</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>One prompt per line; trajectory i follows prompt i mod n</source>
        <translation>Ein Prompt pro Zeile; Trajektorie i folgt Prompt i mod n</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Text-to-image pipelines are calibrated on trajectories from these prompts, each conditional and unconditional (the negative prompt), as Q-Diffusion does</source>
        <translation>Text-zu-Bild-Pipelines werden auf Trajektorien aus diesen Prompts kalibriert, jeweils bedingt und unbedingt (negativer Prompt), wie bei Q-Diffusion</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Text encoder weights</source>
        <translation>Gewichte des Text-Encoders</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>VAE decoder weights</source>
        <translation>Gewichte des VAE-Decoders</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>FP (as Q-Diffusion and PCR)</source>
        <translation>FP (wie Q-Diffusion und PCR)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>%1-bit, per channel</source>
        <translation>%1 Bit, pro Kanal</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Weight-only quantization of this part of the pipeline, kept in the artifact; the quantized side of comparisons and evaluations encodes or decodes with it</source>
        <translation>Nur-Gewichts-Quantisierung dieses Teils der Pipeline, im Artefakt gespeichert; die quantisierte Seite von Vergleichen und Auswertungen kodiert bzw. dekodiert damit</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Weight rounding</source>
        <translation>Gewichtsrundung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>nearest</source>
        <translation>nächster Wert</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>GPTQ (second-order)</source>
        <translation>GPTQ (zweiter Ordnung)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>AdaRound (block reconstruction)</source>
        <translation>AdaRound (Blockrekonstruktion)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>AdaRound iterations</source>
        <translation>AdaRound-Iterationen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Learning iterations per unit (resnet, attention block or layer)</source>
        <translation>Lerniterationen je Einheit (Resnet, Attention-Block oder Schicht)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>LSQ iterations</source>
        <translation>LSQ-Iterationen</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+29"/>
        <source>off</source>
        <translation>aus</translation>
    </message>
    <message>
        <location line="-28"/>
        <source>Learn each unit&apos;s activation step sizes after the weights (0: off)</source>
        <translation>Nach den Gewichten die Aktivierungs-Schrittweiten jeder Einheit lernen (0: aus)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Progressive</source>
        <translation>Progressiv</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>calibrate each step on the quantized trajectory (PCR)</source>
        <translation>jeden Schritt auf der quantisierten Trajektorie kalibrieren (PCR)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>GPTQ rounds each layer&apos;s weights column by column and compensates the error with the layer&apos;s input statistics: much better at 4 bits, seconds more to calibrate</source>
        <translation>GPTQ rundet die Gewichte jeder Schicht Spalte für Spalte und gleicht den Fehler mit der Eingangsstatistik der Schicht aus: bei 4 Bit viel besser, Sekunden mehr Kalibrierung</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>custom</source>
        <translation>benutzerdefiniert</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>W = weight bits, A = activation bits; A16 keeps activations in floating point</source>
        <translation>W = Gewichtsbits, A = Aktivierungsbits; A16 belässt die Aktivierungen in Gleitkommadarstellung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>min/max</source>
        <translation>min/max</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>MSE search (Lp 2.4)</source>
        <translation>MSE-Suche (Lp 2.4)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>percentile</source>
        <translation>Perzentil</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>running min/max</source>
        <translation>laufendes min/max</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>How activation and weight clipping ranges are chosen from the calibration data</source>
        <translation>Wie die Clipping-Bereiche für Aktivierungen und Gewichte aus den Kalibrierungsdaten bestimmt werden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>one grid</source>
        <translation>ein Raster</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>split h | skip: shortcut conv (Q-Diffusion)</source>
        <translation>h | skip geteilt: Shortcut-Conv (Q-Diffusion)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>split h | skip: shortcut conv and conv1</source>
        <translation>h | skip geteilt: Shortcut-Conv und conv1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Quantize the two halves of a decoder cat(h, skip) input with separate grids. The shortcut conv receives the raw concatenation (marked ⑃ in the layer table); conv1 sees it after GroupNorm and SiLU.</source>
        <translation>Die beiden Hälften eines cat(h, skip)-Eingangs im Decoder mit getrennten Rastern quantisieren. Die Shortcut-Conv erhält die rohe Verkettung (in der Schichttabelle mit ⑃ markiert); conv1 sieht sie nach GroupNorm und SiLU.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>16 (text-to-image default)</source>
        <translation>16 (Text-zu-Bild-Standard)</translation>
    </message>
    <message>
        <location line="+148"/>
        <source>activations in floating point</source>
        <translation>Aktivierungen in Gleitkomma</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 bits over %2 quantized inputs × %3 steps</source>
        <translation>%1 Bit über %2 quantisierte Eingänge × %3 Schritte</translation>
    </message>
    <message>
        <location line="-151"/>
        <source>as activations</source>
        <translation>wie Aktivierungen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Width of the attention probabilities (zero point 0)</source>
        <translation>Bitbreite der Attention-Wahrscheinlichkeiten (Nullpunkt 0)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>as the rest</source>
        <translation>wie der Rest</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>8 bits</source>
        <translation>8 Bit</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>full precision</source>
        <translation>volle Präzision</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>one grid per step (PCR)</source>
        <translation>ein Raster pro Schritt (PCR)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A separate activation scale and zero point for every sampling step</source>
        <translation>Eigene Aktivierungsskalierung und eigener Nullpunkt für jeden Sampling-Schritt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>uniform (Q-Diffusion)</source>
        <translation>gleichverteilt (Q-Diffusion)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>normal (PTQ4DM NDTC)</source>
        <translation>normalverteilt (PTQ4DM NDTC)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Timesteps kept per FP trajectory</source>
        <translation>Pro FP-Trajektorie behaltene Zeitschritte</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>FP trajectories (images) sampled for calibration</source>
        <translation>Für die Kalibrierung gesampelte FP-Trajektorien (Bilder)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Relaxed steps</source>
        <translation>Gelockerte Schritte</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>PCR&apos;s activation relaxing: the fraction of sampling steps whose activations use the relaxed width (0: off)</source>
        <translation>Aktivierungslockerung nach PCR: der Anteil der Sampling-Schritte, deren Aktivierungen die gelockerte Breite nutzen (0: aus)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Relaxed width</source>
        <translation>Gelockerte Breite</translation>
    </message>
    <message>
        <location line="+1"/>
        <source> bits</source>
        <translation> Bit</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Activation width on the relaxed steps (never below a site&apos;s own width)</source>
        <translation>Aktivierungsbreite in den gelockerten Schritten (nie unter der eigenen Breite einer Stelle)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Relax at</source>
        <translation>Lockern bei</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the last steps (fine detail)</source>
        <translation>den letzten Schritten (feine Details)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the first steps</source>
        <translation>den ersten Schritten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Average activation width</source>
        <translation>Mittlere Aktivierungsbreite</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Calibrate</source>
        <translation>Kalibrieren</translation>
    </message>
</context>
<context>
    <name>dq::gui::Worker</name>
    <message>
        <location filename="../app/gui/worker.cpp" line="+178"/>
        <source>%1: cancelled before it started</source>
        <translation>%1: vor dem Start abgebrochen</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>%1: cancelled</source>
        <translation>%1: abgebrochen</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>LibTorch failed during %1: %2</source>
        <translation>LibTorch-Fehler (%1): %2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 failed: %2</source>
        <translation>%1 fehlgeschlagen: %2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 failed with an unknown error.</source>
        <translation>%1 ist mit einem unbekannten Fehler fehlgeschlagen.</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Loading model</source>
        <translation>Laden des Modells</translation>
    </message>
    <message>
        <location line="+81"/>
        <source>Calibrating %1</source>
        <translation>Kalibrierung (%1)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open a model before calibrating.</source>
        <translation>Öffnen Sie vor dem Kalibrieren ein Modell.</translation>
    </message>
    <message>
        <location line="-53"/>
        <source>collecting calibration data</source>
        <translation>Kalibrierungsdaten werden gesammelt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>GPTQ: layer inputs</source>
        <translation>GPTQ: Schichteingaben</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>GPTQ: rounding</source>
        <translation>GPTQ: Rundung</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+64"/>
        <source>calibrating</source>
        <translation>Kalibrierung läuft</translation>
    </message>
    <message>
        <location line="-63"/>
        <source>AdaRound: unit</source>
        <translation>AdaRound: Einheit</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>LSQ: unit</source>
        <translation>LSQ: Einheit</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>progressive calibration: step</source>
        <translation>progressive Kalibrierung: Schritt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>observing ranges</source>
        <translation>Wertebereiche beobachten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>sensitivity: configuration</source>
        <translation>Empfindlichkeit: Konfiguration</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Give calibration prompts (one per line) for this text-to-image pipeline.</source>
        <translation>Geben Sie Kalibrierungs-Prompts (einen pro Zeile) für diese Text-zu-Bild-Pipeline an.</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>Measuring sensitivity</source>
        <translation>Empfindlichkeit wird gemessen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open a model before measuring sensitivity.</source>
        <translation>Vor dem Messen der Empfindlichkeit ein Modell öffnen.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>sensitivity</source>
        <translation>Empfindlichkeit</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Allocating</source>
        <translation>Zuteilung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Measure the sensitivity first.</source>
        <translation>Zuerst die Empfindlichkeit messen.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>allocation budgets</source>
        <translation>Zuteilungsbudgets</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Generating</source>
        <translation>Erzeugung</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open a model before generating.</source>
        <translation>Öffnen Sie vor dem Generieren ein Modell.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>FP model</source>
        <translation>FP-Modell</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>quantized model</source>
        <translation>quantisiertes Modell</translation>
    </message>
    <message>
        <location line="+70"/>
        <source>Decoding step %1</source>
        <translation>Dekodiere Schritt %1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>This comparison&apos;s trajectory is no longer held (a model was opened since); generate the comparison again.</source>
        <translation>Die Trajektorie dieses Vergleichs ist nicht mehr vorhanden (inzwischen wurde ein Modell geöffnet); erzeugen Sie den Vergleich erneut.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Step %1 is outside this comparison&apos;s %2 steps.</source>
        <translation>Schritt %1 liegt außerhalb der %2 Schritte dieses Vergleichs.</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Quantized statistics</source>
        <translation>Statistiken (quantisiert)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>FP statistics</source>
        <translation>Statistiken (FP)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open a model before collecting statistics.</source>
        <translation>Öffnen Sie ein Modell, bevor Sie Statistiken sammeln.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Calibrate a quantized model before collecting its statistics.</source>
        <translation>Kalibrieren Sie ein quantisiertes Modell, bevor Sie seine Statistiken sammeln.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>sampling with statistics</source>
        <translation>Sampling mit Statistikerfassung</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Evaluating</source>
        <translation>Evaluierung</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open a model before evaluating.</source>
        <translation>Öffnen Sie vor dem Evaluieren ein Modell.</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>sampling</source>
        <translation>Sampling</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>sampling (held-out prompts)</source>
        <translation>Sampling (zurückgehaltene Prompts)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>sampling (calibration prompts)</source>
        <translation>Sampling (Kalibrierungs-Prompts)</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Saving quantized model</source>
        <translation>Speichern des quantisierten Modells</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>There is no calibrated model to save; press Calibrate first.</source>
        <translation>Es gibt kein kalibriertes Modell zum Speichern; klicken Sie zuerst auf „Kalibrieren“.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Opening quantized model</source>
        <translation>Öffnen des quantisierten Modells</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open the FP model before its quantized model.</source>
        <translation>Öffnen Sie das FP-Modell vor seinem quantisierten Modell.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Back to FP</source>
        <translation>Rückkehr zu FP</translation>
    </message>
</context>
<context>
    <name>dq::widgets::ImageComparison</name>
    <message>
        <location filename="../widgets/image_comparison.cpp" line="+79"/>
        <source>There is no comparison to save yet; generate one first.</source>
        <translation>Es gibt noch keinen Vergleich zum Speichern; erzeugen Sie zuerst einen.</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+5"/>
        <source>Cannot write &apos;%1&apos;: %2</source>
        <translation>„%1“ kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <location line="-2"/>
        <source>Cannot encode &apos;%1&apos; as PNG.</source>
        <translation>„%1“ kann nicht als PNG kodiert werden.</translation>
    </message>
</context>
<context>
    <name>dq::widgets::LayerTable</name>
    <message>
        <location filename="../widgets/layer_table.cpp" line="+86"/>
        <location line="+303"/>
        <source>FP</source>
        <translation>FP</translation>
    </message>
    <message>
        <location line="-252"/>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Shape</source>
        <translation>Form</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Site</source>
        <translation>Stelle</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>W bits</source>
        <translation>W-Bits</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>A bits</source>
        <translation>A-Bits</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Recon</source>
        <translation>Rekon.</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Sensitivity</source>
        <translation>Empfindlichkeit</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>SQNR of the predicted noise with only this site quantized at its widths (from a sensitivity sweep): the longer the bar, the more the site matters. Click to sort.</source>
        <translation>SQNR des vorhergesagten Rauschens, wenn nur diese Stelle mit ihren Breiten quantisiert ist (aus einer Empfindlichkeitsmessung): je länger der Balken, desto wichtiger die Stelle. Zum Sortieren klicken.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Click to restore the execution order</source>
        <translation>Klicken, um die Ausführungsreihenfolge wiederherzustellen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Change of the site&apos;s reconstruction unit output error (AdaRound, then LSQ) against its starting point</source>
        <translation>Änderung des Ausgabefehlers der Rekonstruktionseinheit dieser Stelle (AdaRound, dann LSQ) gegenüber dem Ausgangspunkt</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Weight bit-width (double-click to edit; FP = not quantized)</source>
        <translation>Gewichts-Bitbreite (Doppelklick zum Bearbeiten; FP = nicht quantisiert)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Activation bit-width of the site&apos;s input, or of the attention operand</source>
        <translation>Aktivierungs-Bitbreite des Eingangs der Stelle bzw. des Attention-Operanden</translation>
    </message>
    <message>
        <location line="+32"/>
        <source> · split</source>
        <translation> · geteilt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>
Shortcut site ⑃: its input is the raw cat(h, skip) with %1 + %2 channels.</source>
        <translation>
Shortcut-Stelle ⑃: ihr Eingang ist das rohe cat(h, skip) mit %1 + %2 Kanälen.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>
Its input is cat(h, skip) with %1 + %2 channels after GroupNorm and SiLU.</source>
        <translation>
Ihr Eingang ist cat(h, skip) mit %1 + %2 Kanälen nach GroupNorm und SiLU.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source> The plan gives each half its own grid.</source>
        <translation> Der Plan gibt jeder Hälfte ein eigenes Raster.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source> The plan quantizes it with one grid.</source>
        <translation> Der Plan quantisiert ihn mit einem Raster.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>
Attention matmul operand: quantized with its own width.</source>
        <translation>
Attention-Matmul-Operand: mit eigener Bitbreite quantisiert.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source> · text</source>
        <translation> · Text</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>
Text-dependent: its input comes from the prompt&apos;s encoder states, the same at every timestep.</source>
        <translation>
Textabhängig: Die Eingabe stammt aus den Encoder-Zuständen des Prompts und ist in jedem Zeitschritt gleich.</translation>
    </message>
    <message>
        <location line="+152"/>
        <source>Weight bits of the selected sites</source>
        <translation>Gewichts-Bits der gewählten Stellen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Activation bits of the selected sites</source>
        <translation>Aktivierungs-Bits der gewählten Stellen</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>?</source>
        <translation>?</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Not measured at these widths: run the sensitivity sweep with them</source>
        <translation>Bei diesen Breiten nicht gemessen: die Empfindlichkeitsmessung mit ihnen ausführen</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 dB</source>
        <translation>%1 dB</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>weights at %1 bits alone: %2 dB</source>
        <translation>Gewichte allein mit %1 Bit: %2 dB</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>input at %1 bits alone: %2 dB</source>
        <translation>Eingang allein mit %1 Bit: %2 dB</translation>
    </message>
    <message>
        <location line="+50"/>
        <source>%1 (%2): %3 → %4</source>
        <translation>%1 (%2): %3 → %4</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>recalibrate</source>
        <translation>neu kalibrieren</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>calibrated</source>
        <translation>kalibriert</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Changed since the last calibration: press Calibrate to apply</source>
        <translation>Seit der letzten Kalibrierung geändert: zum Übernehmen „Kalibrieren“ klicken</translation>
    </message>
</context>
<context>
    <name>dq::widgets::ProgressStatus</name>
    <message>
        <location filename="../widgets/progress_status.cpp" line="+23"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stop the running operation (within one denoising step) and everything queued</source>
        <translation>Laufenden Vorgang (innerhalb eines Entrauschungsschritts) und alle wartenden Vorgänge abbrechen</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>%1 left</source>
        <translation>noch %1</translation>
    </message>
    <message numerus="yes">
        <location line="+8"/>
        <source>(+%n queued)</source>
        <translation>
            <numerusform>(+%n in Warteschlange)</numerusform>
            <numerusform>(+%n in Warteschlange)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>dq::widgets::TrajectoryScrubber</name>
    <message>
        <location filename="../widgets/trajectory_scrubber.cpp" line="+58"/>
        <source>No trajectory yet</source>
        <translation>Noch keine Trajektorie</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>step %1 / %2 · t = %3</source>
        <translation>Schritt %1 / %2 · t = %3</translation>
    </message>
    <message>
        <location line="+2"/>
        <source> · not decoded yet</source>
        <translation> · noch nicht dekodiert</translation>
    </message>
</context>
</TS>
