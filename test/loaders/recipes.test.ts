import { test } from "node:test";
import assert from "node:assert/strict";
import { RECIPES, recipe, recipeSettings, type RecipeKind } from "../../loaders/recipes.js";
import { referenceInnOptionsFromSpec } from "../../src/lib/models/reference-inn-spec.js";

test("every recipe resolves to valid trainer settings; overrides win; recipe() hands out copies", () => {
  for (const kind of Object.keys(RECIPES) as RecipeKind[]) {
    const s = recipeSettings(kind, { seed: 3, limitTrain: 100 });
    assert.equal(s.seed, 3);
    assert.equal(s.limitTrain, 100);
    assert.equal(s.optimizer, RECIPES[kind].settings.optimizer);
    assert.equal(s.learningRate, RECIPES[kind].settings.learningRate);
    assert.equal(recipeSettings(kind, { epochs: 7 }).epochs, 7);
  }
  const r = recipe("inn");
  r.model.minFraction = 0.9;
  r.settings.learningRate = 1;
  assert.equal(RECIPES.inn.model.minFraction, 0.25);
  assert.notEqual(RECIPES.inn.settings.learningRate, 1);
  assert.throws(() => recipe("nope" as RecipeKind), /unknown recipe "nope"/);
});

test("integral recipes carry valid reference-inn specs with 25–100% ranges", () => {
  for (const kind of ["inn", "innInit", "gridTuning"] as const) {
    const options = referenceInnOptionsFromSpec(recipe(kind).model as { name: string });
    assert.equal(options.minFraction, 0.25, `${kind}: every hidden group trained on 25–100%`);
  }
  // The measured choices the recipes' doc comment explains.
  assert.equal(RECIPES.discrete.settings.optimizer, "sgd");
  assert.equal(RECIPES.inn.settings.optimizer, "adam");
  assert.equal(RECIPES.inn.model.kernel, "linear");
});

test("method recipes (LHC, SSC, IGPC): valid settings, the dense reference trained the same way, copies, clear errors", async () => {
  const { METHOD_RECIPES, methodRecipe } = await import("../../loaders/recipes.js");
  const { methodNetSettings } = await import("../../loaders/method-nets.js");
  assert.deepEqual(Object.keys(METHOD_RECIPES).sort(), ["igpc", "lhc", "ssc"]);
  for (const kind of ["lhc", "ssc", "igpc"] as const) {
    const { settings, maskEpochs } = methodNetSettings(kind, { seed: 2, limitTrain: 50 });
    assert.equal(settings.seed, 2);
    assert.equal(settings.limitTrain, 50);
    assert.equal(settings.learningRate, METHOD_RECIPES[kind].settings.learningRate);
    assert.equal(maskEpochs, kind === "lhc" ? METHOD_RECIPES.lhc.maskEpochs : 0);
    assert.equal(METHOD_RECIPES[kind].dense.name, "reference");
    assert.equal(methodNetSettings(kind, { epochs: 5, maskEpochs: 3 }).settings.epochs, 5);
  }
  assert.ok(METHOD_RECIPES.lhc.maskEpochs! >= 1, "LHC has a mask stage");
  const r = methodRecipe("ssc");
  r.settings.learningRate = 1;
  assert.notEqual(METHOD_RECIPES.ssc.settings.learningRate, 1);
  assert.throws(() => methodRecipe("dense"), /unknown method "dense" \(known: lhc, ssc, igpc\)/);
});
