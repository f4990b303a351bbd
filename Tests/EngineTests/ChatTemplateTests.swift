import Engine
import Foundation
import Testing
import TestSupport

@Suite struct ChatTemplateTests {
    struct Golden: Decodable {
        struct Case: Decodable {
            let messages: [ChatMessage]
            let add_generation_prompt: Bool
            let rendered: String
        }
        let template: String
        let cases: [Case]
    }

    /// The bundled model's template rendered by jinja2 (scripts/fixtures/make_tokenizer_fixtures.py).
    @Test func smolLM2MatchesJinja() throws {
        let url = Fixtures.packageRoot.appendingPathComponent("Tests/Fixtures/tokenizer/chat_template_smollm2.json")
        let golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url))
        let tokenizer = try Tokenizer(path: Fixtures.modelPath)
        #expect(tokenizer.chatTemplate == golden.template)
        let template = ChatTemplate(tokenizer: tokenizer)
        #expect(template.form == .chatML(defaultSystem: "You are a helpful AI assistant named SmolLM, trained by Hugging Face"))
        #expect(template.warning == nil)
        #expect(golden.cases.count == 6)
        for c in golden.cases {
            #expect(template.render(c.messages, addGenerationPrompt: c.add_generation_prompt) == c.rendered)
        }
        // The rendered prompt tokenizes with its markers as single tokens.
        let ids = tokenizer.encode(template.render([.user("Hi")], addGenerationPrompt: true))
        #expect(ids.filter { $0 == 1 }.count == 3 && ids.filter { $0 == 2 }.count == 2)
    }

    @Test func qwen2DefaultSystem() {
        let source = "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\\nYou are a helpful assistant<|im_end|>\\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
        let t = ChatTemplate(source: source)
        #expect(t.form == .chatML(defaultSystem: "You are a helpful assistant"))
        #expect(t.render([.system("Be brief."), .user("Hi")], addGenerationPrompt: true)
                == "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")
    }

    @Test func plainChatMLHasNoDefaultSystem() {
        let t = ChatTemplate(source: "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}")
        #expect(t.form == .chatML(defaultSystem: nil))
        #expect(t.render([.user("Hi")], addGenerationPrompt: false) == "<|im_start|>user\nHi<|im_end|>\n")
    }

    @Test func llama3() {
        let source = "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}"
        let t = ChatTemplate(source: source)
        #expect(t.form == .llama3 && t.warning == nil)
        #expect(t.render([.system("Sys "), .user(" Hi\n")], addGenerationPrompt: true)
                == "<|start_header_id|>system<|end_header_id|>\n\nSys<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n")
    }

    @Test func gemmaFoldsTheSystemMessageIntoTheFirstUserTurn() {
        let source = "{{ bos_token }}{% for message in messages %}{{ '<start_of_turn>' + role + '\\n' + message['content'] | trim + '<end_of_turn>\\n' }}{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>model\\n'}}{% endif %}"
        let t = ChatTemplate(source: source)
        #expect(t.form == .gemma)
        #expect(t.render([.system("Be brief."), .user("Hi"), .assistant("Hello"), .user("Bye")], addGenerationPrompt: true)
                == "<start_of_turn>user\nBe brief.\n\nHi<end_of_turn>\n<start_of_turn>model\nHello<end_of_turn>\n<start_of_turn>user\nBye<end_of_turn>\n<start_of_turn>model\n")
    }

    @Test func unknownAndMissingTemplatesFallBackWithOneWarning() {
        let phi3 = "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') %}{{'<|user|>' + '\\n' + message['content'] + '<|end|>' + '\\n' + '<|assistant|>' + '\\n'}}{% endif %}{% endfor %}"
        for t in [ChatTemplate(source: phi3), ChatTemplate(source: nil), ChatTemplate(source: "")] {
            #expect(t.form == .plain)
            #expect(t.warning != nil)
            #expect(t.render([.system("Sys"), .user("Hi")], addGenerationPrompt: true) == "Sys\n\nHi")
        }
    }
}
